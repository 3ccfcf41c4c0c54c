package dev.lowbit.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ElementTypeTest {
    private static ByteBuffer le(int... bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bytes) {
            b.put((byte) v);
        }
        return b;
    }

    @Test
    void decodesEveryTypeAtAnUnalignedOffset() {
        // one junk byte first: Const data can start at odd offsets
        assertArrayEquals(new double[] {1.0, -2.0}, ElementType.F32.decode(le(9, 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0), 1, 2));
        assertArrayEquals(new double[] {1.0, -2.0}, ElementType.F16.decode(le(9, 0x00, 0x3C, 0x00, 0xC0), 1, 2));
        assertArrayEquals(new double[] {1.0, -2.0}, ElementType.BF16.decode(le(9, 0x80, 0x3F, 0x00, 0xC0), 1, 2));
        assertArrayEquals(new double[] {1.5}, ElementType.F64.decode(le(9, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F), 1, 1));
        assertArrayEquals(new double[] {-1, 127}, ElementType.I8.decode(le(9, 0xFF, 0x7F), 1, 2));
        assertArrayEquals(new double[] {255, 127}, ElementType.U8.decode(le(9, 0xFF, 0x7F), 1, 2));
        assertArrayEquals(new double[] {-2, 65534}, new double[] {
                ElementType.I16.decode(le(9, 0xFE, 0xFF), 1, 1)[0], ElementType.U16.decode(le(9, 0xFE, 0xFF), 1, 1)[0]});
        assertArrayEquals(new double[] {-3}, ElementType.I32.decode(le(9, 0xFD, 0xFF, 0xFF, 0xFF), 1, 1));
        assertArrayEquals(new double[] {4294967293.0}, ElementType.U32.decode(le(9, 0xFD, 0xFF, 0xFF, 0xFF), 1, 1));
        assertArrayEquals(new double[] {-4}, ElementType.I64.decode(le(9, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), 1, 1));
        assertArrayEquals(new double[] {18446744073709551612.0},
                ElementType.U64.decode(le(9, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), 1, 1));
        assertArrayEquals(new double[] {1, 0, 1}, ElementType.BOOLEAN.decode(le(9, 1, 0, 7), 1, 3));
    }

    @Test
    void decodesFourBitTypesLowNibbleFirst() {
        // 0x9F: low nibble F (-1 as i4, 15 as u4), high nibble 9 (-7 as i4, 9 as u4); 0x07: 7, 0
        assertArrayEquals(new double[] {-1, -7, 7}, ElementType.I4.decode(le(0x9F, 0x07), 0, 3));
        assertArrayEquals(new double[] {15, 9, 7}, ElementType.U4.decode(le(0x9F, 0x07), 0, 3));
        assertEquals(2, ElementType.I4.byteSize(3));
    }

    @Test
    void twoConstantsCanShareOneRegion() {
        ByteBuffer b = le(0, 0, 0x80, 0x3F);
        assertArrayEquals(ElementType.F32.decode(b, 0, 1), ElementType.F32.decode(b, 0, 1));
        assertArrayEquals(new double[] {0, 16256}, ElementType.I16.decode(b, 0, 2));
    }

    @Test
    void parsesNamesAndPrecisions() {
        assertEquals(ElementType.BOOLEAN, ElementType.fromIrName("boolean"));
        assertEquals(ElementType.F16, ElementType.fromPrecision("FP16"));
        assertEquals(ElementType.I64, ElementType.fromPrecision("I64"));
        assertEquals(null, ElementType.fromIrName("q7"));
    }
}

package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The class-file parser of the 8000-byte check, on methods whose bytecode size is known. */
class ClassFileMethodSizesTest {
    static final class Known {
        static final long BIG = 1L << 40; // long and double constants take two constant-pool slots each
        static long big = 7;
        static double pi = 3.14;

        int one() {
            return 1; // iconst_1, ireturn: 2 bytes
        }

        long constant() {
            return BIG + 2 * 1.5e300 > 0 ? BIG : 0; // folded by javac to ldc2_w, lreturn: 4 bytes
        }

        long sum() {
            return big + (long) pi; // getstatic, getstatic, d2l, ladd, lreturn = 3 + 3 + 1 + 1 + 1 = 9 bytes
        }
    }

    @Test
    void readsTheCodeLengthOfEachMethod() throws Exception {
        try (InputStream in = Known.class.getResourceAsStream("ClassFileMethodSizesTest$Known.class")) {
            Map<String, Integer> sizes = ClassFileMethodSizes.of(in.readAllBytes());
            assertEquals(2, sizes.get("one()I"));
            assertEquals(4, sizes.get("constant()J"));
            assertEquals(9, sizes.get("sum()J"));
        }
    }
}

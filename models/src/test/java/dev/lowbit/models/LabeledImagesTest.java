package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledImagesTest {
    @TempDir
    Path dir;

    @Test
    void subsetFileRoundTripsWithTheDocumentedLayout() throws IOException {
        byte[] pixels = new byte[2 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 20);
        }
        LabeledImages images = LabeledImages.of(2, 3, pixels, new byte[] {7, 9});
        Path f = dir.resolve("s.bin");
        images.writeSubset(f);
        byte[] raw = Files.readAllBytes(f);
        assertEquals(16 + 2 + 12, raw.length);
        assertEquals("LBIM", new String(raw, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(2, raw[7]); // count, big-endian u32
        assertEquals(7, raw[16]); // first label
        assertEquals((byte) 220, raw[16 + 2 + 11]); // last pixel
        LabeledImages back = LabeledImages.readSubset(f);
        assertEquals(2, back.count());
        assertEquals(9, back.label(1));
        assertEquals(220, back.pixel(1, 5));
        assertEquals(220 / 255f, back.scaled(1)[5]);
    }

    @Test
    void rejectsATruncatedSubsetFile() throws IOException {
        LabeledImages images = LabeledImages.of(2, 2, new byte[8], new byte[2]);
        Path f = dir.resolve("t.bin");
        images.writeSubset(f);
        byte[] raw = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(raw, raw.length - 1));
        IOException e = assertThrows(IOException.class, () -> LabeledImages.readSubset(f));
        assertTrue(e.getMessage().contains("does not match its header"), e.getMessage());
    }
}

package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The weights resource: read back in order, and refused when its length or hash is not the recorded one. */
class WeightBlobTest {
    /** A blob with arrays [1, 2] and [3]. */
    static byte[] blob() {
        ByteBuffer b = ByteBuffer.allocate(4 * 6).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2).putInt(2).putInt(1).putFloat(1).putFloat(2).putFloat(3);
        return b.array();
    }

    @Test
    void readsEveryArrayInOrder() {
        byte[] b = blob();
        float[][] arrays = WeightBlob.check(b, "t.weights", WeightBlobTest.class, b.length, WeightBlob.sha256(b)).readAll();
        assertArrayEquals(new float[] {1, 2}, arrays[0]);
        assertArrayEquals(new float[] {3}, arrays[1]);
    }

    @Test
    void refusesAResourceWithAnotherHashOrLength() {
        byte[] b = blob();
        String sha = WeightBlob.sha256(b);
        byte[] tampered = b.clone();
        tampered[20] ^= 1;
        var hash = assertThrows(IllegalStateException.class,
                () -> WeightBlob.check(tampered, "t.weights", WeightBlobTest.class, b.length, sha));
        assertTrue(hash.getMessage().contains("SHA-256") && hash.getMessage().contains(sha), hash.getMessage());
        var length = assertThrows(IllegalStateException.class,
                () -> WeightBlob.check(b, "t.weights", WeightBlobTest.class, 99, sha));
        assertTrue(length.getMessage().contains("99"), length.getMessage());
        var missing = assertThrows(IllegalStateException.class,
                () -> WeightBlob.open(WeightBlobTest.class, "nothing.weights", 1, sha));
        assertTrue(missing.getMessage().contains("nothing.weights"), missing.getMessage());
    }
}

package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The class-file parser of the 8000-byte check, on methods whose bytecode size is known. */
class ClassFileMethodSizesTest {
    static final class Known {
        static final long BIG = 1L << 40; // a long constant: two constant-pool slots
        static final double PI = 3.14;

        int one() {
            return 1; // iconst_1, ireturn: 2 bytes
        }

        long big() {
            return BIG + (long) PI; // ldc2_w, ldc2_w, d2l, ladd, lreturn = 3 + 3 + 1 + 1 + 1 = 9 bytes
        }
    }

    @Test
    void readsTheCodeLengthOfEachMethod() throws Exception {
        try (InputStream in = Known.class.getResourceAsStream("ClassFileMethodSizesTest$Known.class")) {
            Map<String, Integer> sizes = ClassFileMethodSizes.of(in.readAllBytes());
            assertEquals(2, sizes.get("one()I"));
            assertEquals(9, sizes.get("big()J"));
        }
    }
}

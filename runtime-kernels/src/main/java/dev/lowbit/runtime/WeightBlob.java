package dev.lowbit.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The weights of a generated model: a class-path resource of little-endian floats next to the class, read
 * once when the class initializes and checked against the length and SHA-256 the processor recorded, then
 * handed out in order as arrays. Not thread-safe; used only by a class initializer.
 */
public final class WeightBlob {
    private final FloatBuffer floats;
    private final String resource;

    private WeightBlob(FloatBuffer floats, String resource) {
        this.floats = floats;
        this.resource = resource;
    }

    /**
     * Reads {@code resource} (relative to {@code owner}) and checks it.
     *
     * @throws IllegalStateException when the resource is missing, has another length or another hash: the
     *     class file and its weights come from different builds
     */
    public static WeightBlob open(Class<?> owner, String resource, long expectedBytes, String expectedSha256) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("weights resource '" + resource + "' of " + owner.getName()
                        + " is not on the class path");
            }
            return check(in.readAllBytes(), resource, owner, expectedBytes, expectedSha256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weights resource '" + resource + "' of " + owner.getName(), e);
        }
    }

    /** Checks the bytes of a weights resource as {@link #open} does. */
    static WeightBlob check(byte[] bytes, String resource, Class<?> owner, long expectedBytes, String expectedSha256) {
        if (bytes.length != expectedBytes) {
            throw new IllegalStateException("weights resource '" + resource + "' of " + owner.getName() + " has "
                    + bytes.length + " bytes, the generated class expects " + expectedBytes + " (stale build?)");
        }
        String actual = sha256(bytes);
        if (!actual.equals(expectedSha256)) {
            throw new IllegalStateException("weights resource '" + resource + "' of " + owner.getName()
                    + " has SHA-256 " + actual + ", the generated class expects " + expectedSha256 + " (stale build?)");
        }
        return new WeightBlob(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(), resource);
    }

    /**
     * Every array of the blob: the blob starts with the count of arrays and each array's length (little-endian
     * ints), followed by the floats of each array in order.
     */
    public float[][] readAll() {
        int count = Float.floatToRawIntBits(floats.get());
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            lengths[i] = Float.floatToRawIntBits(floats.get());
        }
        float[][] arrays = new float[count][];
        for (int i = 0; i < count; i++) {
            arrays[i] = next(lengths[i]);
        }
        if (floats.hasRemaining()) {
            throw new IllegalStateException("weights resource '" + resource + "' has " + floats.remaining()
                    + " floats after its last array");
        }
        return arrays;
    }

    /** The next {@code count} floats. */
    public float[] next(int count) {
        if (count > floats.remaining()) {
            throw new IllegalStateException("weights resource '" + resource + "' ends early: " + count
                    + " floats wanted, " + floats.remaining() + " left");
        }
        float[] a = new float[count];
        floats.get(a);
        return a;
    }

    /** Hex SHA-256 of {@code bytes}, the hash the processor records. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}

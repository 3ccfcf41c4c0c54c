package dev.lowbit.example;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Images with labels read from the project's subset file ({@code models/fashion-mnist/test-1000.bin}: "LBIM",
 * u32 count, rows, cols, the labels, then the pixels; big-endian). Immutable by contract (do not modify the
 * arrays) and then thread-safe.
 */
public record LabeledImages(int rows, int cols, byte[] labels, byte[] pixels) {
    /** Fashion-MNIST's class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public static LabeledImages read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(4);
            if (!"LBIM".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException(file + ": not a labeled-image subset (magic " + new String(magic, StandardCharsets.US_ASCII) + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count <= 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE) {
                throw new IOException(file + ": bad header count=" + count + " rows=" + rows + " cols=" + cols);
            }
            byte[] labels = in.readNBytes(count);
            byte[] pixels = in.readNBytes(count * rows * cols);
            if (labels.length != count || pixels.length != count * rows * cols) {
                throw new IOException(file + ": truncated (expected " + count + " images of " + rows + "x" + cols + ")");
            }
            return new LabeledImages(rows, cols, labels, pixels);
        }
    }

    public int count() {
        return labels.length;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Image {@code i} as the model's input: pixel / 255, row-major. */
    public float[] input(int i) {
        int n = rows * cols;
        float[] x = new float[n];
        for (int p = 0; p < n; p++) {
            x[p] = (pixels[i * n + p] & 0xFF) / 255f;
        }
        return x;
    }
}

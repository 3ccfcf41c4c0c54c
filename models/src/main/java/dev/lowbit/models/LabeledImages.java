package dev.lowbit.models;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Grey-scale images (one unsigned byte per pixel, row-major) with a class label each: reads the Fashion-MNIST
 * IDX files and reads/writes the project's own subset file. Immutable, thread-safe.
 *
 * <p>The subset file ({@code models/fashion-mnist/test-1000.bin}) is, big-endian:
 * <pre>
 *   4 bytes  magic "LBIM"
 *   u32      count
 *   u32      rows
 *   u32      cols
 *   count    labels, one unsigned byte each (0..9)
 *   count*rows*cols pixels, one unsigned byte each, image after image, row-major
 * </pre>
 */
public final class LabeledImages {
    private static final byte[] MAGIC = "LBIM".getBytes(StandardCharsets.US_ASCII);
    private static final int IDX_IMAGES = 0x00000803;
    private static final int IDX_LABELS = 0x00000801;

    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;

    private LabeledImages(int rows, int cols, byte[] pixels, byte[] labels) {
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Wraps pixel and label arrays (copied). */
    public static LabeledImages of(int rows, int cols, byte[] pixels, byte[] labels) {
        if (rows <= 0 || cols <= 0 || pixels.length != labels.length * rows * cols) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * rows * cols
                    + " pixels of " + rows + "x" + cols + ", got " + pixels.length);
        }
        return new LabeledImages(rows, cols, pixels.clone(), labels.clone());
    }

    public int count() {
        return labels.length;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int label(int image) {
        return labels[image] & 0xFF;
    }

    /** Pixel {@code p} (row-major) of {@code image}, 0..255. */
    public int pixel(int image, int p) {
        return pixels[image * rows * cols + p] & 0xFF;
    }

    /** The image as the models take it: pixel / 255, row-major, rows*cols floats. */
    public float[] scaled(int image) {
        float[] x = new float[rows * cols];
        scaled(image, x);
        return x;
    }

    public void scaled(int image, float[] into) {
        int base = image * rows * cols;
        for (int p = 0; p < rows * cols; p++) {
            into[p] = (pixels[base + p] & 0xFF) / 255f;
        }
    }

    /** The first {@code n} images. */
    public LabeledImages first(int n) {
        if (n > count()) {
            throw new IllegalArgumentException("asked for " + n + " images, have " + count());
        }
        return new LabeledImages(rows, cols, Arrays.copyOf(pixels, n * rows * cols), Arrays.copyOf(labels, n));
    }

    /** Reads a pair of (optionally gzipped) IDX files: images (magic 0x803) and labels (magic 0x801). */
    public static LabeledImages readIdx(Path images, Path labels) throws IOException {
        ByteBuffer img = ByteBuffer.wrap(readMaybeGzipped(images));
        ByteBuffer lab = ByteBuffer.wrap(readMaybeGzipped(labels));
        if (img.remaining() < 16 || img.getInt() != IDX_IMAGES) {
            throw new IOException(images + ": not an IDX image file (magic 0x00000803)");
        }
        if (lab.remaining() < 8 || lab.getInt() != IDX_LABELS) {
            throw new IOException(labels + ": not an IDX label file (magic 0x00000801)");
        }
        int n = img.getInt();
        int rows = img.getInt();
        int cols = img.getInt();
        int nl = lab.getInt();
        if (n != nl) {
            throw new IOException(images + " has " + n + " images but " + labels + " has " + nl + " labels");
        }
        if ((long) n * rows * cols != img.remaining() || n != lab.remaining()) {
            throw new IOException(images + ": header says " + n + "x" + rows + "x" + cols
                    + " but the data length differs");
        }
        byte[] p = new byte[img.remaining()];
        img.get(p);
        byte[] l = new byte[lab.remaining()];
        lab.get(l);
        return new LabeledImages(rows, cols, p, l);
    }

    /** Fashion-MNIST's training set from the Debian package's directory. */
    public static LabeledImages fashionMnistTrain(Path dir) throws IOException {
        return readIdx(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    /** Fashion-MNIST's 10,000-image test set from the Debian package's directory. */
    public static LabeledImages fashionMnistTest(Path dir) throws IOException {
        return readIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    /** Reads a subset file in the format described in the class comment. */
    public static LabeledImages readSubset(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] magic = in.readNBytes(4);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a labeled-image subset (magic \"LBIM\" expected)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0 || (long) n * rows * cols > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": bad header " + n + "x" + rows + "x" + cols);
            }
            byte[] l = in.readNBytes(n);
            byte[] p = in.readNBytes(n * rows * cols);
            if (l.length != n || p.length != n * rows * cols || in.read() != -1) {
                throw new IOException(file + ": length does not match its header " + n + "x" + rows + "x" + cols);
            }
            return new LabeledImages(rows, cols, p, l);
        }
    }

    public void writeSubset(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + labels.length + pixels.length);
        b.put(MAGIC).putInt(count()).putInt(rows).putInt(cols).put(labels).put(pixels);
        Files.write(file, b.array());
    }

    private static byte[] readMaybeGzipped(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}

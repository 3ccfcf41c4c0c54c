package dev.lowbit.runtime.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns pictures into the input tensors OMZ-style models take: planar (NCHW) BGR or grayscale, values 0..255,
 * resized bilinearly. Stateless, thread-safe.
 */
public final class ImageTensors {
    private ImageTensors() {}

    /**
     * A letterboxed input and the factor that maps input pixels back to picture pixels. Immutable by contract (the
     * data array is shared, not copied), and then thread-safe.
     */
    public record Letterboxed(float[] data, int width, int height, double scale) {
        /** Picture x of a box coordinate given as a fraction of the input width. */
        public double pictureX(double normalizedX) {
            return normalizedX * width / scale;
        }

        public double pictureY(double normalizedY) {
            return normalizedY * height / scale;
        }
    }

    public static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IllegalArgumentException(file + ": not a picture javax.imageio can read");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read picture", e);
        }
    }

    /**
     * Scales the picture to fit {@code width x height} keeping its aspect ratio, pads right and bottom with
     * zeros, and returns planar BGR. Wide-input detectors need this: stretching distorts faces.
     */
    public static Letterboxed letterboxBgr(BufferedImage picture, int width, int height) {
        double scale = Math.min((double) width / picture.getWidth(), (double) height / picture.getHeight());
        int w = Math.max(1, (int) Math.round(picture.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(picture.getHeight() * scale));
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        draw(canvas, picture, w, h);
        return new Letterboxed(planarBgr(canvas), width, height, scale);
    }

    /** Resizes the whole picture to {@code width x height} (aspect ratio not kept), planar BGR. */
    public static float[] stretchBgr(BufferedImage picture, int width, int height) {
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        draw(canvas, picture, width, height);
        return planarBgr(canvas);
    }

    /** Crops {@code (x, y, w, h)} of the picture and stretches it to {@code width x height}, planar BGR. */
    public static float[] cropBgr(BufferedImage picture, int x, int y, int w, int h, int width, int height) {
        return stretchBgr(picture.getSubimage(x, y, w, h), width, height);
    }

    /** Resizes to {@code width x height} and returns one plane of luma (ITU-R BT.601), 0..255. */
    public static float[] stretchGray(BufferedImage picture, int width, int height) {
        float[] bgr = stretchBgr(picture, width, height);
        int plane = width * height;
        float[] gray = new float[plane];
        for (int i = 0; i < plane; i++) {
            gray[i] = (float) (0.114 * bgr[i] + 0.587 * bgr[plane + i] + 0.299 * bgr[2 * plane + i]);
        }
        return gray;
    }

    private static void draw(BufferedImage canvas, BufferedImage picture, int w, int h) {
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(picture, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
    }

    private static float[] planarBgr(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        float[] out = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                out[i] = rgb & 0xFF;
                out[plane + i] = (rgb >> 8) & 0xFF;
                out[2 * plane + i] = (rgb >> 16) & 0xFF;
            }
        }
        return out;
    }
}

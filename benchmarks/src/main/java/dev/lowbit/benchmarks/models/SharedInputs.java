package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.vision.ImageTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real photo input of each benchmarked OMZ model (batch 1, planar BGR 0..255) and where the shared models live,
 * so that lowbit and ONNX Runtime get exactly the same tensor. Stateless, thread-safe.
 */
public final class SharedInputs {
    /** The astronaut's face in astronaut.png (x, y, w, h), the crop the face models see. */
    static final int FACE_X = 160, FACE_Y = 50, FACE_W = 140, FACE_H = 150;

    private SharedInputs() {}

    /** ../shared, or the directory named by -Dlowbit.shared; fails with the reason when it is missing. */
    public static Path sharedRoot() {
        String prop = System.getProperty("lowbit.shared");
        Path root = (prop != null ? Path.of(prop) : Path.of("..", "shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("models-onnx")) || !Files.isDirectory(root.resolve("images"))) {
            throw new IllegalStateException("the model benchmarks need the shared OMZ models and photos: " + root
                    + " has no models-onnx/ or images/ (run from the project root next to shared/, or pass -Dlowbit.shared=DIR)");
        }
        return root;
    }

    /** The input tensor of {@code model} (its OMZ folder name), built from the photo the issue names for it. */
    public static float[] input(String model) {
        Path images = sharedRoot().resolve("images");
        return switch (model) {
            case "landmarks-regression-retail-0009" -> faceCrop(images, 48, 48);
            case "head-pose-estimation-adas-0001" -> faceCrop(images, 60, 60);
            case "face-detection-retail-0004" ->
                    ImageTensors.letterboxBgr(ImageTensors.read(images.resolve("astronaut.png")), 300, 300).data();
            case "vehicle-attributes-recognition-barrier-0039" ->
                    ImageTensors.stretchBgr(ImageTensors.read(images.resolve("black_car.jpg")), 72, 72);
            default -> throw new IllegalArgumentException("no benchmark input defined for model '" + model + "'");
        };
    }

    /** NCHW shape of {@link #input(String)}. */
    public static long[] shape(String model) {
        int side = switch (model) {
            case "landmarks-regression-retail-0009" -> 48;
            case "head-pose-estimation-adas-0001" -> 60;
            case "face-detection-retail-0004" -> 300;
            case "vehicle-attributes-recognition-barrier-0039" -> 72;
            default -> throw new IllegalArgumentException("no benchmark input defined for model '" + model + "'");
        };
        return new long[] {1, 3, side, side};
    }

    private static float[] faceCrop(Path images, int width, int height) {
        BufferedImage astronaut = ImageTensors.read(images.resolve("astronaut.png"));
        return ImageTensors.cropBgr(astronaut, FACE_X, FACE_Y, FACE_W, FACE_H, width, height);
    }
}

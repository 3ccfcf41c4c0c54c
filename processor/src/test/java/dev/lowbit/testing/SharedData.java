package dev.lowbit.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates {@code ../shared} (the real OMZ models and photos, never copied into the repository). Tests that
 * need it call {@link #require()}, which skips the test with the reason when it is absent, so a missing
 * folder shows as skipped, never as passed.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String prop = System.getProperty("lowbit.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        return p.toAbsolutePath().normalize();
    }

    public static Path require() {
        Path root = root();
        assumeTrue(Files.isDirectory(root.resolve("models")),
                "SKIPPED: ../shared/models not found at " + root + " (real OMZ models and photos live there; "
                        + "clone the project next to shared/ to run these tests)");
        return root;
    }

    public static Path models() {
        return require().resolve("models");
    }

    public static Path image(String name) {
        return require().resolve("images").resolve(name);
    }

    /** Every model .xml under ../shared/models, sorted. */
    public static List<Path> allModelXmls() {
        try (Stream<Path> s = Files.walk(models())) {
            return s.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "face-detection-retail-0004/FP16-INT8" for a model xml. */
    public static String label(Path xml) {
        return xml.getParent().getParent().getFileName() + "/" + xml.getParent().getFileName();
    }
}

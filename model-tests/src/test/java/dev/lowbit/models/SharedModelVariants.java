package dev.lowbit.models;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test support: the model variants of ../shared/models (folder x precision) and the generated class of each
 * (the interface names follow generate-interfaces.py). Skips with the reason when ../shared is absent or
 * when the generated classes are missing. Stateless.
 */
final class SharedModelVariants {
    /** One model folder and precision. */
    record Variant(String folder, String precision, Path xml, String interfaceName) {
        String label() {
            return folder + "/" + precision;
        }

        String generatedClassName() {
            return "dev.lowbit.models." + interfaceName + "Model";
        }

        /** The generated class, or a skip with the reason when it was not generated. */
        Class<?> generatedClass() {
            try {
                return Class.forName(generatedClassName());
            } catch (ClassNotFoundException e) {
                assumeTrue(false, "SKIPPED: " + generatedClassName() + " was not generated (the shared-models profile "
                        + "compiles the interfaces only when ../shared/models exists at build time)");
                throw new AssertionError(e);
            }
        }
    }

    private SharedModelVariants() {}

    static Path sharedRoot() {
        String prop = System.getProperty("lowbit.shared");
        return (prop != null ? Path.of(prop) : Path.of("..", "..", "shared")).toAbsolutePath().normalize();
    }

    static boolean present() {
        return Files.isDirectory(sharedRoot().resolve("models"));
    }

    static String skipReason() {
        return "SKIPPED: ../shared/models not found at " + sharedRoot() + " (the real OMZ models live there; clone "
                + "the project next to shared/ to run these tests)";
    }

    static List<Variant> all() {
        Path models = sharedRoot().resolve("models");
        List<Variant> out = new ArrayList<>();
        try (Stream<Path> folders = Files.list(models)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                String model = folder.getFileName().toString().replaceAll("_omz[0-9.]+$", "");
                try (Stream<Path> precisions = Files.list(folder)) {
                    for (Path p : precisions.filter(Files::isDirectory).sorted().toList()) {
                        String f = folder.getFileName().toString();
                        String precision = p.getFileName().toString();
                        out.add(new Variant(f, precision, p.resolve(model + ".xml"), interfaceName(f + "-" + precision)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** "face-detection-retail-0004_omz2021.2-FP16-INT8" -> "FaceDetectionRetail0004Omz20212Fp16Int8". */
    static String interfaceName(String s) {
        StringBuilder sb = new StringBuilder();
        for (String part : s.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return sb.toString();
    }
}

package dev.lowbit.processor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the model's .xml from the annotation's path: relative to {@code -Alowbit.modelDir} when that option
 * is given; otherwise relative to the module directory and then the multi-module root (found by walking up
 * from the class output to the nearest build file, then further while the parent has one), and last on the
 * class path. Records every place it looked, for the "not found" error. Stateless, thread-safe.
 */
public final class ModelLocator {
    /**
     * Looks a path up on the class path; returns a readable local file (copied out of a jar when needed). Called
     * from the thread that runs the locator.
     */
    @FunctionalInterface
    public interface ClassPathLookup {
        Optional<Path> find(String relativePath) throws IOException;
    }

    /** The outcome: the .xml found, and where the locator looked (in order). Immutable, thread-safe. */
    public record Result(Optional<Path> xml, List<String> tried) {}

    private static final List<String> BUILD_FILES = List.of("pom.xml", "build.gradle", "build.gradle.kts",
            "settings.gradle", "settings.gradle.kts");

    public Result locate(String value, Optional<Path> modelDir, Optional<Path> classOutput, ClassPathLookup classPath) {
        List<String> tried = new ArrayList<>();
        Path asGiven = Path.of(value);
        if (asGiven.isAbsolute()) {
            tried.add(asGiven.toString());
            return new Result(Files.isRegularFile(asGiven) ? Optional.of(asGiven) : Optional.empty(), tried);
        }
        if (modelDir.isPresent()) {
            Path p = modelDir.get().resolve(value).toAbsolutePath().normalize();
            tried.add(p + " (-Alowbit.modelDir)");
            return new Result(Files.isRegularFile(p) ? Optional.of(p) : Optional.empty(), tried);
        }
        if (classOutput.isPresent()) {
            Optional<Path> module = nearestBuildDir(classOutput.get());
            if (module.isPresent()) {
                Optional<Path> found = check(module.get().resolve(value), "module directory", tried);
                if (found.isPresent()) {
                    return new Result(found, tried);
                }
                Path root = module.get();
                while (root.getParent() != null && hasBuildFile(root.getParent())) {
                    root = root.getParent();
                }
                if (!root.equals(module.get())) {
                    found = check(root.resolve(value), "multi-module root", tried);
                    if (found.isPresent()) {
                        return new Result(found, tried);
                    }
                }
            } else {
                tried.add("(no module directory: no build file above the class output " + classOutput.get() + ")");
            }
        } else {
            tried.add("(no module directory: the class output is not a local directory)");
        }
        tried.add("class path: " + value);
        try {
            return new Result(classPath.find(value), tried);
        } catch (IOException e) {
            tried.set(tried.size() - 1, "class path: " + value + " (" + e.getMessage() + ")");
            return new Result(Optional.empty(), tried);
        }
    }

    private static Optional<Path> check(Path p, String what, List<String> tried) {
        Path n = p.toAbsolutePath().normalize();
        tried.add(n + " (" + what + ")");
        return Files.isRegularFile(n) ? Optional.of(n) : Optional.empty();
    }

    private static Optional<Path> nearestBuildDir(Path from) {
        for (Path p = from.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (hasBuildFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static boolean hasBuildFile(Path dir) {
        return BUILD_FILES.stream().anyMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /** Copies a class-path model (.xml and its .bin) to a temporary directory, for models inside jars. */
    static Path copyToTemp(String value, InputStream xml, InputStream bin) throws IOException {
        Path dir = Files.createTempDirectory("lowbit-model");
        String name = Path.of(value).getFileName().toString();
        Path x = dir.resolve(name);
        Files.copy(xml, x);
        if (bin != null) {
            Files.copy(bin, dir.resolve(name.replaceAll("\\.xml$", "") + ".bin"));
        }
        return x;
    }
}

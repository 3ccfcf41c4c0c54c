package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model path resolution, on a fake multi-module layout, without javac. */
class ModelLocatorTest {
    @TempDir
    Path root;

    private Path layout() throws IOException {
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path module = Files.createDirectories(root.resolve("app"));
        Files.writeString(module.resolve("pom.xml"), "<project/>");
        return Files.createDirectories(module.resolve("target/classes"));
    }

    private static ModelLocator.ClassPathLookup nothingOnClassPath() {
        return p -> Optional.empty();
    }

    @Test
    void prefersTheModuleDirectoryThenTheMultiModuleRoot() throws IOException {
        Path classes = layout();
        Files.createDirectories(root.resolve("models"));
        Files.writeString(root.resolve("models/m.xml"), "<net/>");
        var r = new ModelLocator().locate("models/m.xml", Optional.empty(), Optional.of(classes), nothingOnClassPath());
        assertEquals(Optional.of(root.resolve("models/m.xml").toAbsolutePath().normalize()), r.xml());
        assertEquals(2, r.tried().size(), r.tried().toString()); // module dir first, then the root

        Files.createDirectories(root.resolve("app/models"));
        Files.writeString(root.resolve("app/models/m.xml"), "<net/>");
        r = new ModelLocator().locate("models/m.xml", Optional.empty(), Optional.of(classes), nothingOnClassPath());
        assertEquals(Optional.of(root.resolve("app/models/m.xml").toAbsolutePath().normalize()), r.xml());
    }

    @Test
    void modelDirIsTheOnlyPlaceWhenGiven() throws IOException {
        Path classes = layout();
        Files.writeString(root.resolve("m.xml"), "<net/>");
        var r = new ModelLocator().locate("m.xml", Optional.of(root.resolve("elsewhere")), Optional.of(classes),
                nothingOnClassPath());
        assertTrue(r.xml().isEmpty());
        assertEquals(List.of(root.resolve("elsewhere/m.xml") + " (-Alowbit.modelDir)"), r.tried());
    }

    @Test
    void fallsBackToTheClassPathAndListsEveryPlace() throws IOException {
        Path classes = layout();
        Path onCp = Files.writeString(root.resolve("cp.xml"), "<net/>");
        var found = new ModelLocator().locate("x/cp.xml", Optional.empty(), Optional.of(classes),
                p -> p.equals("x/cp.xml") ? Optional.of(onCp) : Optional.empty());
        assertEquals(Optional.of(onCp), found.xml());
        var missing = new ModelLocator().locate("x/none.xml", Optional.empty(), Optional.of(classes), nothingOnClassPath());
        assertTrue(missing.xml().isEmpty());
        assertEquals(3, missing.tried().size(), missing.tried().toString());
        assertTrue(missing.tried().get(2).startsWith("class path: x/none.xml"));
    }
}

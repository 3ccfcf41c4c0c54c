package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every lane-type change in the kernels names its target species ({@code reinterpretShape(INTS, 0)},
 * {@code convertShape(I2F, FLOATS, 0)}), none derives it from the vector ({@code reinterpretAsInts()},
 * {@code convert(I2F, 0)}). The derived form looks the species up through {@code AbstractSpecies.withLanes}, whose
 * slow path ({@code computeSpecies}, 190 bytes) C2 does not always inline; when it does not, the target species is
 * not a constant, the conversion intrinsic fails ("missing constant: ... vclass_to=LoadP" in
 * {@code -XX:+PrintIntrinsics}) and the Vector API's Java fallback allocates on every call. Seen on 2026-12-04 in
 * {@code Int8Convolution.tile4x2}'s last epilogue statement after three models had run in one JVM
 * (docs/performance.md, "Explicit species in every conversion").
 */
class ExplicitSpeciesTest {
    private static final Pattern DERIVED = Pattern.compile(
            "\\.reinterpretAs(Bytes|Shorts|Ints|Longs|Floats|Doubles)\\(\\)|\\.convert\\(\\s*VectorOperators\\.");

    @Test
    void everyConversionInTheKernelsNamesItsSpecies() throws IOException {
        Path sources = Path.of("src/main/java");
        assertTrue(Files.isDirectory(sources), "run from the runtime-kernels module: no " + sources.toAbsolutePath());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.size() > 50, "found only " + files.size() + " sources under " + sources.toAbsolutePath());
        List<String> derived = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (DERIVED.matcher(lines.get(i)).find()) {
                    derived.add(sources.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), derived, "conversions whose target species C2 may not see as a constant");
    }
}

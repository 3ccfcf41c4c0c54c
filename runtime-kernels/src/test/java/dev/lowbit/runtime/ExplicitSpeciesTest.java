package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
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
 *
 * <p>And every conversion's result is cast to its species' exact class ({@code (IntVector) INTS_TYPE.cast(...)},
 * {@code INTS_TYPE = INTS.vectorType()}): a conversion is declared to return {@code Vector<F>}, so without the cast
 * C2 binds the calls on its result only through type profiles, which every model in the JVM shares; with
 * {@code -XX:-UseTypeSpeculation} vehicle INT8 alone allocated 34 MB per inference before the casts
 * (docs/performance.md, "Exact vector classes").
 */
class ExplicitSpeciesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern DERIVED = Pattern.compile(
            "\\.reinterpretAs(Bytes|Shorts|Ints|Longs|Floats|Doubles)\\(\\)|\\.convert\\(\\s*VectorOperators\\.");
    private static final Pattern CONVERSION = Pattern.compile("\\.\\s*(convertShape|reinterpretShape)\\(");

    @Test
    void everyConversionInTheKernelsNamesItsSpecies() throws IOException {
        List<String> derived = new ArrayList<>();
        for (Path file : sources()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (DERIVED.matcher(lines.get(i)).find()) {
                    derived.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), derived, "conversions whose target species C2 may not see as a constant");
    }

    @Test
    void everyConversionInTheKernelsIsCastToItsExactClass() throws IOException {
        List<String> uncast = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            Matcher call = CONVERSION.matcher(text);
            while (call.find()) {
                int start = receiverStart(text, call.start());
                if (!text.substring(0, start).stripTrailing().endsWith("_TYPE.cast(")) {
                    int line = (int) text.substring(0, call.start()).lines().count();
                    uncast.add(SOURCES.relativize(file) + ":" + line + ": "
                            + text.substring(start, call.end()).replaceAll("\\s+", " "));
                }
            }
        }
        assertEquals(List.of(), uncast, "conversions whose result C2 types only through profiles");
    }

    private static List<Path> sources() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the runtime-kernels module: no " + SOURCES.toAbsolutePath());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.size() > 50, "found only " + files.size() + " sources under " + SOURCES.toAbsolutePath());
        return files;
    }

    /** Where the receiver of the call whose dot is at {@code dot} starts: a chain of calls, names and indexing. */
    private static int receiverStart(String s, int dot) {
        int j = dot - 1;
        while (true) {
            while (Character.isWhitespace(s.charAt(j))) {
                j--;
            }
            if (s.charAt(j) == ')' || s.charAt(j) == ']') {
                char open = s.charAt(j) == ')' ? '(' : '[', close = s.charAt(j);
                for (int depth = 0; ; j--) {
                    depth += s.charAt(j) == close ? 1 : s.charAt(j) == open ? -1 : 0;
                    if (depth == 0) {
                        break;
                    }
                }
                j--;
            }
            while (j >= 0 && Character.isJavaIdentifierPart(s.charAt(j))) {
                j--;
            }
            int start = j + 1;
            while (Character.isWhitespace(s.charAt(j))) {
                j--;
            }
            if (s.charAt(j) != '.' && s.charAt(j) != ']') {
                return start;
            }
            if (s.charAt(j) == '.') {
                j--;
            }
        }
    }
}

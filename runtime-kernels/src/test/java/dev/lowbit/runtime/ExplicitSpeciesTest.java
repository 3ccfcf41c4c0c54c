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
    private static final Pattern BYTE_OR_SHORT_LOAD = Pattern.compile("\\b(Byte|Short)Vector\\.fromArray\\(");

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
                if (!castOpensBefore(text, start)) {
                    uncast.add(finding(file, text, call.start(), start, call.end()));
                }
            }
        }
        assertEquals(List.of(), uncast, "conversions whose result C2 types only through profiles");
    }

    /**
     * The same for a byte or short load (the two element types the kernels use in more than one shape: bytes in 128,
     * 256 and 512 bits, shorts in 256 and 512) that receives a call other than a conversion. A load is declared to
     * return {@code ByteVector}, and methods such as {@code lanewise(op, scalar)}, {@code max} or {@code intoArray}
     * are final in {@code ByteVector}: C2 binds them without a type check, and the calls they make on the vector inside
     * ({@code broadcast}, {@code lanewise}, {@code intoArray0}) bind through the Vector API's own profiles, which hold
     * every shape; two shapes there made C2 switch on the load's class and box it. Seen on 2026-12-05 in
     * {@code PlaneMaxPool.strideTwo} (face-detection INT8, 1.73 MB per inference under {@code -XX:-UseTypeSpeculation},
     * in every run with {@code -Xbatch}; docs/performance.md, "A load's exact class"). A conversion on a load needs no
     * cast: each shape overrides it, so C2 binds it through the profile of the kernel's own call site, which sees one
     * shape, and checks the class there.
     */
    @Test
    void everyByteOrShortLoadThatReceivesACallIsCastToItsExactClass() throws IOException {
        List<String> uncast = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            Matcher load = BYTE_OR_SHORT_LOAD.matcher(text);
            while (load.find()) {
                int end = closingParenthesis(text, load.end() - 1);
                int after = end + 1;
                while (Character.isWhitespace(text.charAt(after))) {
                    after++;
                }
                boolean receivesCall = text.startsWith(".", after)
                        && !CONVERSION.matcher(text).region(after, text.length()).lookingAt();
                boolean cast = castOpensBefore(text, load.start()) && text.startsWith(")", after);
                if (receivesCall && !cast) {
                    uncast.add(finding(file, text, load.start(), load.start(), end + 1));
                }
            }
        }
        assertEquals(List.of(), uncast, "byte and short loads whose result C2 types only through profiles");
    }

    /** Whether the code before {@code at}, whitespace skipped, ends with a cast to an exact class: {@code X_TYPE.cast(}. */
    private static boolean castOpensBefore(String s, int at) {
        int j = at;
        while (j > 0 && Character.isWhitespace(s.charAt(j - 1))) {
            j--;
        }
        return s.startsWith("_TYPE.cast(", j - "_TYPE.cast(".length());
    }

    /** {@code file:line: code} for a finding at {@code at}, quoting {@code [from, to)} on one line. */
    private static String finding(Path file, String text, int at, int from, int to) {
        int line = (int) text.substring(0, at).lines().count();
        return SOURCES.relativize(file) + ":" + line + ": " + text.substring(from, to).replaceAll("\\s+", " ");
    }

    private static int closingParenthesis(String s, int open) {
        for (int j = open, depth = 0; ; j++) {
            depth += s.charAt(j) == '(' ? 1 : s.charAt(j) == ')' ? -1 : 0;
            if (depth == 0) {
                return j;
            }
        }
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

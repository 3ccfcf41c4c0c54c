package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 asks that the thread safety of every public type be stated in its Javadoc. This reads the main sources of
 * the processor and of the runtime (the two library modules) and requires the Javadoc comment right before every
 * public class, interface, record or enum, nested ones included, to say something about threads. What it says is
 * the author's to get right; ConcurrentCallersTest and the generated-model tests check the promises with
 * concurrent callers.
 */
class ThreadSafetyDocumentedTest {
    private static final List<Path> SOURCES =
            List.of(Path.of("src/main/java"), Path.of("../runtime-kernels/src/main/java"));
    /** A public type declaration at the start of a line, after any modifiers. */
    private static final Pattern PUBLIC_TYPE = Pattern.compile("^[ \\t]*public\\s+"
            + "(?:(?:static|final|abstract|sealed|non-sealed|strictfp)\\s+)*"
            + "(?:class|interface|record|enum|@interface)\\s+(\\w+)", Pattern.MULTILINE);
    /** What may stand between a Javadoc comment and its type: annotations and white space. */
    private static final Pattern ANNOTATIONS_ONLY = Pattern.compile("\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*");

    @Test
    void everyPublicTypeSaysWhetherItIsThreadSafe() throws IOException {
        List<String> undocumented = new ArrayList<>();
        int types = 0;
        for (Path root : SOURCES) {
            assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is missing");
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path file : files) {
                String source = Files.readString(file);
                Matcher type = PUBLIC_TYPE.matcher(source);
                while (type.find()) {
                    types++;
                    if (!javadocBefore(source, type.start()).toLowerCase(Locale.ROOT).contains("thread")) {
                        undocumented.add(root.relativize(file) + ": " + type.group(1));
                    }
                }
            }
        }
        assertTrue(types > 100, "found only " + types + " public types under " + SOURCES);
        assertEquals(List.of(), undocumented, "public types whose Javadoc says nothing about thread safety");
    }

    /** The Javadoc comment that ends right before {@code declaration} (annotations aside), or "" if there is none. */
    private static String javadocBefore(String source, int declaration) {
        String head = source.substring(0, declaration);
        int end = head.lastIndexOf("*/");
        int start = head.lastIndexOf("/**", end);
        if (end < 0 || start < 0 || !ANNOTATIONS_ONLY.matcher(head.substring(end + 2)).matches()) {
            return "";
        }
        return head.substring(start, end);
    }
}

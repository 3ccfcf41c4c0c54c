package dev.lowbit.processor;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Test support: compiles annotated interfaces with the processor into a directory with the JDK's javac
 * (the same way a build does, files on disk), then loads the generated classes. Not thread-safe.
 */
final class InProcessCompiler {
    private InProcessCompiler() {}

    /** Compiles {@code sources} (file name -> text) with {@code -Alowbit.modelDir=modelDir}; returns the output dir. */
    static Path compile(Path work, Path modelDir, Map<String, String> sources) {
        return compile(work, modelDir, sources, new StringWriter());
    }

    /** As above, javac's diagnostics (the processor's NOTEs among them) written to {@code log}. */
    static Path compile(Path work, Path modelDir, Map<String, String> sources, StringWriter log) {
        try {
            Path src = Files.createDirectories(work.resolve("src"));
            Path out = Files.createDirectories(work.resolve("classes"));
            List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-classpath",
                    System.getProperty("java.class.path"), "--release", "21", "--add-modules", "jdk.incubator.vector",
                    "-processor", CompiledModelProcessor.class.getName(), "-Alowbit.modelDir=" + modelDir,
                    "-implicit:none", "-Xlint:-options"));
            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                files.add(f);
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            var fm = javac.getStandardFileManager(null, null, null);
            var task = javac.getTask(log, fm, null, args, null, fm.getJavaFileObjectsFromPaths(files));
            if (!task.call()) {
                throw new AssertionError("compilation failed:\n" + log);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClassLoader load(Path classes) {
        try {
            return new URLClassLoader(new URL[] {classes.toUri().toURL()}, InProcessCompiler.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

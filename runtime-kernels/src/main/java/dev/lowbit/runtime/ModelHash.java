package dev.lowbit.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash a generated class records as {@code MODEL_SHA256}: SHA-256 over the model's .xml bytes followed by
 * its .bin bytes. javac does not track files a processor reads, so a changed model does not by itself
 * recompile its interface; a test comparing {@code ModelHash.sha256(xml)} with {@code MODEL_SHA256} catches
 * a stale generated class. Stateless, thread-safe.
 */
public final class ModelHash {
    private ModelHash() {}

    public static String sha256(Path xml) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(xml));
            Path bin = binOf(xml);
            if (Files.isRegularFile(bin)) {
                md.update(Files.readAllBytes(bin));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash model " + xml, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** The .bin next to an .xml (same base name). */
    public static Path binOf(Path xml) {
        String name = xml.getFileName().toString();
        return xml.resolveSibling((name.endsWith(".xml") ? name.substring(0, name.length() - 4) : name) + ".bin");
    }
}

package dev.lowbit.processor;

import javax.lang.model.SourceVersion;

/**
 * The rule that maps IR tensor names to Java identifiers for typed methods: every character that cannot be
 * part of a Java identifier becomes '_', a leading digit gets a '_' in front, and a keyword gets a trailing
 * '_'. So output "95" is record component {@code _95} and "detection_out" stays as is. A parameter or
 * component may also use the IR name itself when it already is an identifier. Stateless, thread-safe.
 */
public final class JavaNames {
    private JavaNames() {}

    public static String of(String irName) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < irName.length(); i++) {
            char c = irName.charAt(i);
            sb.append(Character.isJavaIdentifierPart(c) ? c : '_');
        }
        if (sb.isEmpty() || !Character.isJavaIdentifierStart(sb.charAt(0))) {
            sb.insert(0, '_');
        }
        String s = sb.toString();
        return SourceVersion.isKeyword(s) || s.equals("_") ? s + "_" : s;
    }

    /** Whether {@code javaName} names the tensor {@code irName} under this rule. */
    public static boolean matches(String javaName, String irName) {
        return javaName.equals(irName) || javaName.equals(of(irName));
    }
}

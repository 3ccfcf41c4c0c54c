package dev.lowbit.runtime;

/**
 * Decodes the small integer constants of generated classes ("1,3,48,48"), which are written as one string
 * literal each so that a class initializer stays a few bytes per constant instead of a few bytes per
 * element. Stateless, thread-safe.
 */
public final class Literals {
    private Literals() {}

    /** "1,3,48,48" as an int array; "" is empty. */
    public static int[] ints(String csv) {
        if (csv.isEmpty()) {
            return new int[0];
        }
        String[] parts = csv.split(",");
        int[] r = new int[parts.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Integer.parseInt(parts[i]);
        }
        return r;
    }
}

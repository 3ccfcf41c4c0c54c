package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.int8.Int8Convolution;
import java.io.IOException;
import java.lang.reflect.Executable;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

/**
 * No method or constructor of the runtime takes or returns a Vector API vector or mask. The kernels keep vectors in
 * the locals of one method: C2 inlines a small helper only while the compilation is under its node budget, and a
 * vector that crosses a call it did not inline is boxed on every call. That happened in a JVM that had run many
 * models: {@code Int8Convolution}'s {@code pair(int)} helper was refused ("NodeCountInliningCutoff" in
 * {@code -XX:+PrintInlining}) and vehicle-attributes INT8 allocated 4.3 MB per inference. The Vector API's own
 * methods are force-inlined past that budget; helpers of ours are not, so there are none.
 */
class NoVectorsCrossCallsTest {
    @Test
    void noRuntimeMethodTakesOrReturnsAVectorOrMask() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Int8Convolution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.map(classes::relativize).map(Path::toString).filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).sorted().toList();
        }
        assertTrue(names.size() > 50, "found only " + names.size() + " runtime classes under " + classes);
        List<String> offenders = new ArrayList<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            Stream.concat(Arrays.stream(c.getDeclaredMethods()), Arrays.stream(c.getDeclaredConstructors()))
                    .filter(NoVectorsCrossCallsTest::carriesVectors)
                    .forEach(e -> offenders.add(name + "." + e.getName() + Arrays.toString(e.getParameterTypes())));
        }
        assertEquals(List.of(), offenders, "methods whose vectors would be boxed whenever C2 does not inline them");
    }

    private static boolean carriesVectors(Executable e) {
        Stream<Class<?>> types = Arrays.stream(e.getParameterTypes());
        if (e instanceof java.lang.reflect.Method m) {
            types = Stream.concat(types, Stream.of(m.getReturnType()));
        }
        return types.anyMatch(t -> Vector.class.isAssignableFrom(t) || VectorMask.class.isAssignableFrom(t));
    }
}

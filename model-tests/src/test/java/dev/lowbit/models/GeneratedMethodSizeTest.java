package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every method of every generated model class stays under HotSpot's 8000-byte JIT limit. */
class GeneratedMethodSizeTest {
    /** HotSpot's HugeMethodLimit: larger methods are never compiled (without -XX:-DontCompileHugeMethods). */
    static final int HUGE_METHOD_LIMIT = 8000;

    @TestFactory
    List<DynamicTest> everyGeneratedMethodIsUnder8000Bytes() {
        if (!SharedModelVariants.present()) {
            return List.of(DynamicTest.dynamicTest("shared models", () -> assumeTrue(false, SharedModelVariants.skipReason())));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (SharedModelVariants.Variant v : SharedModelVariants.all()) {
            tests.add(DynamicTest.dynamicTest(v.label(), () -> {
                Class<?> c = v.generatedClass();
                List<Class<?>> classes = new ArrayList<>(List.of(c));
                classes.addAll(List.of(c.getDeclaredClasses()));
                int checked = 0;
                for (Class<?> k : classes) {
                    try (InputStream in = k.getResourceAsStream(k.getSimpleName().isEmpty() ? k.getName() : k.getName()
                            .substring(k.getName().lastIndexOf('.') + 1) + ".class")) {
                        Map<String, Integer> sizes = ClassFileMethodSizes.of(in.readAllBytes());
                        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
                            assertTrue(e.getValue() < HUGE_METHOD_LIMIT, k.getName() + "." + e.getKey() + " has "
                                    + e.getValue() + " bytes of bytecode");
                            checked++;
                        }
                    }
                }
                assertTrue(checked > 5, "found only " + checked + " methods in " + c.getName());
            }));
        }
        return tests;
    }
}

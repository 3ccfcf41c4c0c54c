package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lowbit.runtime.ModelHash;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each generated class was built from the model file as it is now (javac does not track the files a processor
 * reads, so an incremental build after a model change could leave a stale class; this test notices it).
 */
class GeneratedClassesAreCurrentTest {
    @TestFactory
    List<DynamicTest> everyGeneratedClassRecordsTheCurrentModelHash() {
        if (!SharedModelVariants.present()) {
            return List.of(DynamicTest.dynamicTest("shared models", () -> assumeTrue(false, SharedModelVariants.skipReason())));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (SharedModelVariants.Variant v : SharedModelVariants.all()) {
            tests.add(DynamicTest.dynamicTest(v.label(), () -> {
                Object recorded = v.generatedClass().getField("MODEL_SHA256").get(null);
                assertEquals(ModelHash.sha256(v.xml()), recorded, v.label() + ": rebuild (mvn clean compile) after changing a model");
            }));
        }
        return tests;
    }
}

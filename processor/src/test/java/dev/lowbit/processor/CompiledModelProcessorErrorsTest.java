package dev.lowbit.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** Every compiler error the processor reports, each on the element that caused it, checked with compile-testing. */
class CompiledModelProcessorErrorsTest {
    static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();

    static Compilation compile(String modelDir, JavaFileObject... sources) {
        Compiler javac = Compiler.javac().withProcessors(new CompiledModelProcessor());
        javac = modelDir == null ? javac.withOptions("--add-modules", "jdk.incubator.vector")
                : javac.withOptions("--add-modules", "jdk.incubator.vector", "-Alowbit.modelDir=" + modelDir);
        return javac.compile(sources);
    }

    static JavaFileObject source(String name, String text) {
        return JavaFileObjects.forSourceString(name, text);
    }

    @Test
    void reportsAMissingModelWithEveryPlaceItLooked() {
        Compilation c = compile(RESOURCES.toString(), source("demo.Missing", """
                package demo;
                @dev.lowbit.CompiledModel("nowhere/model.xml")
                public interface Missing {}
                """));
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("model 'nowhere/model.xml' not found. Looked in:");
        assertThat(c).hadErrorContaining(RESOURCES.resolve("nowhere/model.xml") + " (-Alowbit.modelDir)");
    }

    @Test
    void withoutModelDirLooksOnTheClassPathAndSaysSo() {
        Compilation missing = compile(null, source("demo.Missing", """
                package demo;
                @dev.lowbit.CompiledModel("nowhere/model.xml")
                public interface Missing {}
                """));
        assertThat(missing).hadErrorContaining("class path: nowhere/model.xml");
        // the fixture is a test resource, so it is on the class path of this compilation
        Compilation found = compile(null, source("demo.Tiny", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public interface Tiny {}
                """));
        assertThat(found).succeeded();
        assertThat(found).generatedFile(StandardLocation.CLASS_OUTPUT, "demo", "TinyModel.weights");
        assertThat(found).generatedFile(StandardLocation.CLASS_OUTPUT, "", "META-INF/lowbit/demo.Tiny.json");
        assertThat(found).generatedSourceFile("demo.TinyModel").contentsAsUtf8String()
                .contains("layer id=2 name='conv1' type=Convolution");
    }

    @Test
    void printsABuildNoteAndOnRequestThePlan() {
        Compilation c = Compiler.javac().withProcessors(new CompiledModelProcessor())
                .withOptions("--add-modules", "jdk.incubator.vector", "-Alowbit.modelDir=" + RESOURCES, "-Alowbit.dump=true")
                .compile(source("demo.Tiny", """
                        package demo;
                        @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                        public interface Tiny {}
                        """));
        assertThat(c).succeeded();
        // tiny_cnn has a FakeQuantize, so it takes the int8 path: that FakeQuantize becomes u8 levels (the
        // layers around it have float weights and stay fp32, as the int8 NOTE says)
        assertThat(c).hadNoteContaining("lowbit: demo.Tiny <- codegen/tiny_cnn.xml: 9 layers (8 f32)");
        assertThat(c).hadNoteContaining("int8 path: 0.00% of Convolution/GroupConvolution/MatMul MACs");
        assertThat(c).hadNoteContaining("plan of tiny_cnn");
    }

    @Test
    void reportsMalformedXmlNamingTheFile() {
        Compilation c = compile(RESOURCES.toString(), source("demo.Broken", """
                package demo;
                @dev.lowbit.CompiledModel("ir/malformed/not_xml.xml")
                public interface Broken {}
                """));
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("not_xml.xml");
        assertThat(c).hadErrorContainingMatch("lowbit: .*not_xml\\.xml");
    }

    @Test
    void reportsAnUnsupportedOpNamingTheLayer() {
        Compilation c = compile(RESOURCES.toString(), source("demo.Odd", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/unsupported_op.xml")
                public interface Odd {}
                """));
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("layer id=1 name='strange' type=Erf");
        assertThat(c).hadErrorContaining("unsupported op type 'Erf'");
    }

    @Test
    void rejectsTheAnnotationOnAClassAndOnAnEnum() {
        Compilation onClass = compile(RESOURCES.toString(), source("demo.NotAnInterface", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public class NotAnInterface {}
                """));
        assertThat(onClass).hadErrorContaining("@CompiledModel goes on an interface; NotAnInterface is a class");
        Compilation onEnum = compile(RESOURCES.toString(), source("demo.Choice", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public enum Choice { A }
                """));
        assertThat(onEnum).hadErrorContaining("@CompiledModel goes on an interface; Choice is an enum");
    }

    @Test
    void reportsAMethodThatDoesNotMatchTheModelOnThatMethod() {
        JavaFileObject src = source("demo.Wrong", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public interface Wrong {
                    float[] infer(float[] data, float[] extra);
                }
                """);
        Compilation c = compile(RESOURCES.toString(), src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("method float[] infer(float[] data, float[] extra) does not match the model: "
                + "it has 2 parameter(s), the model 1 input(s)").inFile(src).onLine(4);
        assertThat(c).hadErrorContaining("outputs ['95' f32[1, 4, 2, 2], 'probs' f32[1, 3]]");
    }

    @Test
    void reportsARecordComponentThatNamesNoOutput() {
        JavaFileObject src = source("demo.WrongRecord", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public interface WrongRecord {
                    record Out(float[] probs, float[] logits) {}
                    Out run(float[] data);
                }
                """);
        Compilation c = compile(RESOURCES.toString(), src);
        assertThat(c).hadErrorContaining("record component 'logits' of Out names no output").inFile(src).onLine(5);
    }

    @Test
    void rejectsTwoInterfacesThatWouldGenerateTheSameClass() {
        Compilation c = compile(RESOURCES.toString(), source("demo.Outer", """
                package demo;
                public interface Outer {
                    @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                    interface Inner {}
                }
                """), source("demo.Outer_Inner", """
                package demo;
                @dev.lowbit.CompiledModel("codegen/tiny_cnn.xml")
                public interface Outer_Inner {}
                """));
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("two @CompiledModel interfaces generate the same class demo.Outer_InnerModel");
    }
}

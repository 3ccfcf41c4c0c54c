package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.codegen.Int8Emitters;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.vision.ImageTensors;
import dev.lowbit.testing.SharedData;
import dev.lowbit.transform.lpt.Int8Simulator;
import dev.lowbit.transform.lpt.LowPrecisionPipeline;
import dev.lowbit.transform.lpt.LoweredModel;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The int8 path end to end on the shared FP16-INT8 models: the processor compiles the IR (javac, on disk), the
 * generated class runs a photo, and its outputs are compared with the {@link Int8Simulator} (which the lpt tests
 * prove against the oracle) with the border term of fractional zero points where the kernels carry it, and with
 * the oracle itself. The
 * NOTE's int8 MAC share is printed and checked against the lowering's.
 */
class Int8GeneratedModelTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {
        "face-detection-retail-0004", "head-pose-estimation-adas-0001", "landmarks-regression-retail-0009",
        "vehicle-attributes-recognition-barrier-0039", "landmarks-regression-retail-0009_omz2021.2",
        "landmarks-regression-retail-0009_omz2021.3", "face-detection-retail-0004_omz2021.2",
        "person-detection-retail-0013", "text-image-super-resolution-0001", "face-detection-adas-0001"})
    void generatedInt8ModelMatchesTheSimulator(String folder) throws Exception {
        SharedData.require();
        String model = folder.replaceAll("_omz[0-9.]+$", "");
        String rel = folder + "/FP16-INT8/" + model + ".xml";
        String log = compile(rel, "Int8Probe");
        System.out.println(log);
        assertTrue(log.contains("int8 path"), "the NOTE reports the int8 path:\n" + log);
        java.util.regex.Matcher share = java.util.regex.Pattern.compile("int8 path: ([0-9.]+)% ").matcher(log);
        assertTrue(share.find(), log);
        double percent = Double.parseDouble(share.group(1));
        // >= 95% int8 MACs, except where the IR itself leaves layers unquantized (head-pose: 3 convolutions with
        // float weights and no FakeQuantize); every fp32 layer the NOTE lists must then be of that kind
        boolean onlyUnquantizedInIr = log.lines().filter(l -> l.trim().startsWith("fp32:"))
                .allMatch(l -> l.contains("not a quantized pattern"));
        assertTrue(percent >= 95 || onlyUnquantizedInIr, folder + ": int8 MACs " + percent + "%:\n" + log);
        if (folder.equals("head-pose-estimation-adas-0001")) {
            // the batch norm after conv1's ReLU runs in its int8 epilogue, and the generated code says so
            String source = Files.readString(work.resolve("classes/probe/Int8ProbeModel.java"));
            String note = "// epilogue: Add 'conv1', ReLU 'relu_conv1', Multiply 'bn1/mean/Fused_Mul_', "
                    + "Add 'bn1/variance/Fused_Add_' -> f32";
            assertTrue(source.contains(note), note);
        }
        InferenceModel m = (InferenceModel) loader.loadClass("probe.Int8ProbeModel").getConstructor().newInstance();

        Graph g = new IrReader().read(SharedData.models().resolve(rel));
        Node param = g.parameters().get(0);
        int[] shape = param.output(0).shape();
        BufferedImage photo = ImageTensors.read(SharedData.image("astronaut.png"));
        float[] input = shape[1] == 1 ? ImageTensors.stretchGray(photo, shape[3], shape[2])
                : ImageTensors.stretchBgr(photo, shape[3], shape[2]);
        String name = Signature.inputName(param);
        Map<String, float[]> got = m.infer(Map.of(name, input));
        LoweredModel lowered = new LowPrecisionPipeline().lower(g);
        Map<String, Tensor> sim = new Int8Simulator(lowered, l -> Int8Emitters.carriesBorderTerm(l, false))
                .run(Map.of(name, Tensor.f32(shape, input)));
        Map<String, Tensor> ref = new ReferenceEvaluator(g).run(Map.of(name, Tensor.f32(shape, input)));
        assertEquals(ref.keySet(), got.keySet(), "output names");
        for (Node r : g.results()) {
            String out = Signature.outputName(r);
            float[] o = got.get(out);
            if (g.node(r.input(0).node()).is("DetectionOutput")) {
                // rows above 0.5 confidence: same count and boxes within 0.01 of the image size
                List<float[]> mine = confident(o), simRows = confident(sim.get(out).toFloatArray()),
                        refRows = confident(ref.get(out).toFloatArray());
                double ds = boxDistance(simRows, mine), dr = boxDistance(refRows, mine);
                System.out.printf("%s %s: %d confident detections (simulator %d, oracle %d), max box difference "
                        + "vs simulator %.3g, vs oracle %.3g%n", folder, out, mine.size(), simRows.size(),
                        refRows.size(), ds, dr);
                assertTrue(ds <= 0.01 && dr <= 0.01, folder + ": confident detections differ");
                continue;
            }
            double es = relativeError(sim.get(out).toFloatArray(), o);
            double er = relativeError(ref.get(out).toFloatArray(), o);
            double sr = relativeError(ref.get(out).toFloatArray(), sim.get(out).toFloatArray());
            System.out.printf("%s %s: vs simulator %.3g, vs oracle %.3g (simulator vs oracle %.3g)%n",
                    folder, out, es, er, sr);
            // the kernels' epilogue folds the FakeQuantize scale into its constants (Requantization): a level
            // flips only where a value sits within a few f32 ulps of a rounding boundary, and each flip moves
            // an output by about one output step; 1e-2 of the output range allows a few of them
            assertTrue(es <= 1e-2, folder + " " + out + ": relative error vs the simulator " + es);
            if (folder.startsWith("landmarks-regression-retail-0009_omz")) {
                // layers 72 and 76 carry the border term in their Winograd kernels: the generated code must be
                // closer to the simulator that applies it there than to one that omits it everywhere
                double none = relativeError(new Int8Simulator(lowered, false).run(Map.of(name, Tensor.f32(shape, input)))
                        .get(out).toFloatArray(), o);
                assertTrue(es < none, folder + ": vs the simulator with the kernels' border terms " + es
                        + ", without any " + none);
            }
        }
    }

    /** {@code -Alowbit.precision=fp32}: the same INT8 IR on the fp32 path, FakeQuantize literal, as the oracle. */
    @org.junit.jupiter.api.Test
    void precisionOptionForcesTheFp32Path() throws Exception {
        fp32PathMatchesTheOracle(false);
    }

    /** {@code @CompiledModel(precision = "fp32")} wins over the option's default. */
    @org.junit.jupiter.api.Test
    void precisionAttributeForcesTheFp32Path() throws Exception {
        fp32PathMatchesTheOracle(true);
    }

    private void fp32PathMatchesTheOracle(boolean attribute) throws Exception {
        SharedData.require();
        String rel = "landmarks-regression-retail-0009/FP16-INT8/landmarks-regression-retail-0009.xml";
        precisionAttribute = attribute ? ", precision = \"fp32\"" : "";
        String log = attribute ? compile(rel, "Fp32Probe", "-Alowbit.precision=int8")
                : compile(rel, "Fp32Probe", "-Alowbit.precision=fp32");
        assertTrue(!log.contains("int8 path"), "no int8 NOTE on the fp32 path:\n" + log);
        InferenceModel m = (InferenceModel) loader.loadClass("probe.Fp32ProbeModel").getConstructor().newInstance();
        Graph g = new IrReader().read(SharedData.models().resolve(rel));
        Node param = g.parameters().get(0);
        int[] shape = param.output(0).shape();
        float[] input = ImageTensors.stretchBgr(ImageTensors.read(SharedData.image("astronaut.png")), shape[3], shape[2]);
        String name = Signature.inputName(param);
        Map<String, Tensor> ref = new ReferenceEvaluator(g).run(Map.of(name, Tensor.f32(shape, input)));
        float[] out = m.infer(Map.of(name, input)).get("95");
        double err = relativeError(ref.get("95").toFloatArray(), out);
        // the fp32 kernels agree with the oracle to about an ulp per layer (see model-tests' 1e-5 bound)
        assertTrue(err <= 1e-5, "fp32 path vs oracle: " + err);
    }

    private ClassLoader loader;
    private String precisionAttribute = "";

    private String compile(String rel, String iface, String... options) throws Exception {
        Path src = Files.createDirectories(work.resolve("src/probe"));
        Path out = Files.createDirectories(work.resolve("classes"));
        Path f = src.resolve(iface + ".java");
        Files.writeString(f, "package probe;\n@dev.lowbit.CompiledModel(value = \"" + rel + "\"" + precisionAttribute
                + ")\npublic interface " + iface + " {}\n");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-classpath",
                System.getProperty("java.class.path"), "--release", "21", "--add-modules", "jdk.incubator.vector",
                "-processor", CompiledModelProcessor.class.getName(), "-Alowbit.modelDir=" + SharedData.models(),
                "-implicit:none", "-Xlint:-options"));
        args.addAll(List.of(options));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        var fm = javac.getStandardFileManager(null, null, null);
        var task = javac.getTask(log, fm, null, args, null, fm.getJavaFileObjectsFromPaths(List.of(f)));
        if (!task.call()) {
            throw new AssertionError("compilation failed:\n" + log);
        }
        loader = InProcessCompiler.load(out);
        return log.toString();
    }

    /** Detection rows with confidence >= 0.5, sorted by label then score. */
    static List<float[]> confident(float[] y) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i + 7 <= y.length && y[i] != -1f; i += 7) {
            if (y[i + 2] >= 0.5f) {
                rows.add(java.util.Arrays.copyOfRange(y, i, i + 7));
            }
        }
        rows.sort(java.util.Comparator.<float[]>comparingDouble(r -> r[1]).thenComparingDouble(r -> -r[2]));
        return rows;
    }

    /** Largest coordinate difference of matched rows; infinite when the counts or labels differ. */
    static double boxDistance(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i)[1] != b.get(i)[1]) {
                return Double.POSITIVE_INFINITY;
            }
            for (int k = 3; k < 7; k++) {
                d = Math.max(d, Math.abs(a.get(i)[k] - b.get(i)[k]));
            }
        }
        return d;
    }

    static double relativeError(float[] ref, float[] out) {
        assertEquals(ref.length, out.length, "output length");
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - out[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }
}

package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.LayerProfile;
import dev.lowbit.runtime.Profiled;
import dev.lowbit.runtime.ProfilingInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-layer profiling of a generated class (tiny_cnn on the int8 path and on the fp32 path): the layers it reports
 * are the build report's (written independently, by the processor's JSON writer), counts equal the timed
 * inferences, outputs do not change, and nothing is recorded while off. {@code profiling = false} generates no
 * profiling code.
 */
class ProfilingEndToEndTest {
    private static final Pattern REPORT_LAYER = Pattern.compile("\"id\": (\\d+), \"name\": \"([^\"]*)\", \"type\": "
            + "\"([^\"]*)\", \"precision\": \"([^\"]*)\", \"kernel\": \"([^\"]*)\", \"macs\": (\\d+)");

    @TempDir
    static Path work;
    static ClassLoader loader;

    @BeforeAll
    static void compile() {
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of(
                "demo/Tiny.java", TinyModelEndToEndTest.SOURCE,
                "demo/TinyFp32.java", """
                        package demo;

                        @dev.lowbit.CompiledModel(value = "tiny_cnn.xml", precision = "fp32")
                        public interface TinyFp32 {}
                        """,
                "demo/TinyPlain.java", """
                        package demo;

                        @dev.lowbit.CompiledModel(value = "tiny_cnn.xml", profiling = false)
                        public interface TinyPlain {}
                        """));
        loader = InProcessCompiler.load(classes);
    }

    private static InferenceModel model(String name) throws Exception {
        return (InferenceModel) loader.loadClass("demo." + name + "Model").getConstructor().newInstance();
    }

    /** The build report's layers, in its order (execution order), as profiles with no time. */
    private static List<LayerProfile> reportedLayers(String api) throws Exception {
        String json = Files.readString(work.resolve("classes/META-INF/lowbit/demo." + api + ".json"));
        List<LayerProfile> layers = new ArrayList<>();
        Matcher m = REPORT_LAYER.matcher(json);
        while (m.find()) {
            layers.add(new LayerProfile(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5),
                    Long.parseLong(m.group(6)), 0, 0));
        }
        assertTrue(layers.size() > 5, json);
        return layers;
    }

    @Test
    void int8PathReportsEveryLayerTimedOncePerInference() throws Exception {
        checkProfiledRuns("Tiny");
    }

    @Test
    void fp32PathReportsEveryLayerTimedOncePerInference() throws Exception {
        checkProfiledRuns("TinyFp32");
    }

    private static void checkProfiledRuns(String api) throws Exception {
        InferenceModel m = model(api);
        Profiled p = (Profiled) m;
        List<LayerProfile> expected = reportedLayers(api);
        assertFalse(p.profilingEnabled(), "off by default");

        List<Map<String, float[]>> off = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            off.add(m.infer(Map.of("data", TinyModelEndToEndTest.randomInput(seed))));
        }
        ProfilingInfo nothing = p.profilingInfo();
        assertEquals(expected.size(), nothing.layers().size());
        assertEquals(0, nothing.totalNanos(), "nothing recorded while off");
        assertEquals(0, nothing.inferences());

        p.enableProfiling(true);
        int runs = 3 * 5;
        for (int rep = 0; rep < 3; rep++) {
            for (long seed = 1; seed <= 5; seed++) {
                Map<String, float[]> on = m.infer(Map.of("data", TinyModelEndToEndTest.randomInput(seed)));
                for (String name : on.keySet()) {
                    assertArrayEquals(off.get((int) seed - 1).get(name), on.get(name), 0f, name + " seed " + seed);
                }
            }
        }
        ProfilingInfo info = p.profilingInfo();
        assertEquals(runs, info.inferences());
        double shares = 0;
        long reportedMacs = 0;
        long profiledMacs = 0;
        for (int i = 0; i < expected.size(); i++) {
            LayerProfile want = expected.get(i);
            LayerProfile got = info.layers().get(i);
            assertEquals(List.of(want.id(), want.name(), want.type(), want.precision(), want.kernel()),
                    List.of(got.id(), got.name(), got.type(), got.precision(), got.kernel()), "layer " + i);
            if (!got.kernel().toLowerCase(java.util.Locale.ROOT).contains("int8")) { // int8 kernels count their MACs where they run (LayerProfile.macs)
                assertEquals(want.macs(), got.macs(), got.name());
            }
            reportedMacs += want.macs();
            profiledMacs += got.macs();
            assertEquals(runs, got.count(), got.name());
            assertTrue(got.totalNanos() > 0, got.name() + " has no time");
            shares += info.sharePercent(got);
        }
        assertEquals(100.0, shares, 1e-9);
        assertEquals(reportedMacs, profiledMacs, "every MAC is counted once");
        String table = info.toTable(ProfilingInfo.Order.TIME, 5);
        assertEquals(5 + 3, table.lines().count(), table); // header, 5 rows, the rest, total
        assertTrue(table.contains(runs + " inferences timed"), table);
        System.out.println(api + ":\n" + info.toTable());

        // Off again: the recorded times stay, and the following inferences add nothing.
        p.enableProfiling(false);
        long before = p.profilingInfo().totalNanos();
        m.infer(Map.of("data", TinyModelEndToEndTest.randomInput(9)));
        assertEquals(before, p.profilingInfo().totalNanos());
        assertEquals(runs, p.profilingInfo().inferences());

        p.resetProfiling();
        assertEquals(0, p.profilingInfo().totalNanos());
        assertEquals(0, p.profilingInfo().inferences());
    }

    @Test
    void typedMethodsAndInferIntoAreTimedToo() throws Exception {
        InferenceModel m = model("Tiny");
        ((Profiled) m).enableProfiling(true);
        m.getClass().getMethod("run", float[].class).invoke(m, (Object) TinyModelEndToEndTest.randomInput(1));
        assertEquals(1, ((Profiled) m).profilingInfo().inferences());
        m.infer(Map.of("data", TinyModelEndToEndTest.randomInput(2)), Map.of("probs", new float[3], "95", new float[16]));
        assertEquals(2, ((Profiled) m).profilingInfo().inferences(), "infer(inputs, outputs) is timed too");
    }

    @Test
    void profilingFalseGeneratesNoProfilingCode() throws Exception {
        InferenceModel plain = model("TinyPlain");
        assertFalse(plain instanceof Profiled);
        for (var method : plain.getClass().getDeclaredMethods()) {
            assertFalse(method.getName().contains("Timed") || method.getName().contains("Profil"), method.getName());
        }
        float[] x = TinyModelEndToEndTest.randomInput(4);
        assertArrayEquals(model("Tiny").infer(Map.of("data", x)).get("probs"), plain.infer(Map.of("data", x)).get("probs"));
    }
}

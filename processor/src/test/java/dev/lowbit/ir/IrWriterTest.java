package dev.lowbit.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.GraphBuilder;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IrWriterTest {
    @TempDir
    Path dir;

    /** A small CNN-shaped graph touching every builder op and several element types. */
    static Graph sampleGraph() {
        Random r = new Random(1);
        GraphBuilder b = new GraphBuilder("sample \"&<net>\"");
        ValueRef x = b.parameter("input", ElementType.F32, 1, 2, 6, 6);
        ValueRef w = b.constant("conv/weights", randomF32(r, 3, 2, 3, 3));
        ValueRef conv = b.convolution("conv", x, w, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1});
        ValueRef bias = b.add("conv/bias", conv, b.constant("conv/bias/value", randomF32(r, 1, 3, 1, 1)));
        ValueRef relu = b.relu("relu", bias);
        ValueRef pool = b.maxPool("pool", relu, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0});
        ValueRef flat = b.reshape("flatten", pool, 1, 27);
        ValueRef lo = b.constant("fq/il", Tensor.scalar(ElementType.F32, 0));
        ValueRef hi = b.constant("fq/ih", Tensor.scalar(ElementType.F32, 2.5));
        ValueRef fq = b.fakeQuantize("fq", flat, lo, hi, lo, hi, 256);
        double[] q = new double[4 * 27];
        for (int i = 0; i < q.length; i++) {
            q[i] = r.nextInt(255) - 127;
        }
        ValueRef wq = b.constant("fc/weights/i8", Tensor.of(ElementType.I8, new int[] {4, 27}, q));
        ValueRef wf = b.convert("fc/weights/convert", wq, ElementType.F32);
        ValueRef ws = b.multiply("fc/weights", wf, b.constant("fc/weights/scale", randomF32(r, 4, 1)));
        ValueRef fc = b.matMul("fc", fq, ws, false, true);
        ValueRef sm = b.softMax("prob", fc, 1);
        b.result("prob/sink", sm);
        // Constants of other element types (unconnected, as a reader keeps every layer).
        b.constant("f16", Tensor.of(ElementType.F16, new int[] {3}, new double[] {1.5, -2.25, 65504}));
        b.constant("bf16", Tensor.of(ElementType.BF16, new int[] {2}, new double[] {1.5, -3}));
        b.constant("i4", Tensor.of(ElementType.I4, new int[] {3}, new double[] {-8, 7, -1}));
        b.constant("u4", Tensor.of(ElementType.U4, new int[] {3}, new double[] {15, 0, 9}));
        b.constant("u8", Tensor.of(ElementType.U8, new int[] {2}, new double[] {255, 0}));
        b.constant("i64", Tensor.of(ElementType.I64, new int[] {2}, new double[] {-1L << 40, 7}));
        b.constant("bool", Tensor.of(ElementType.BOOLEAN, new int[] {2}, new double[] {1, 0}));
        b.constant("same as il", Tensor.scalar(ElementType.F32, 0));
        return b.build();
    }

    static Tensor randomF32(Random r, int... shape) {
        double[] v = new double[dev.lowbit.graph.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Tensor.of(ElementType.F32, shape, v);
    }

    @Test
    void roundTripKeepsStructureAttributesPortsAndConstants() {
        Graph g = sampleGraph();
        Path xml = dir.resolve("sample.xml");
        new IrWriter().write(g, xml);
        Graph back = new IrReader().read(xml);
        assertSameGraph(g, back);
    }

    @Test
    void writesTheSameBytesForTheSameGraph() throws IOException {
        Path a = dir.resolve("a.xml");
        Path b = dir.resolve("b.xml");
        new IrWriter().write(sampleGraph(), a);
        new IrWriter().write(sampleGraph(), b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(Files.readAllBytes(IrReader.binPathFor(a)), Files.readAllBytes(IrReader.binPathFor(b)));
    }

    @Test
    void laysOutParametersFirstResultsLastAndIdsInTopologicalOrder() {
        String xml = new IrWriter().toXml(sampleGraph(), new ByteArrayOutputStream());
        List<String> layers = xml.lines().filter(l -> l.contains("<layer ")).toList();
        assertTrue(layers.get(0).contains("type=\"Parameter\""), layers.get(0));
        assertTrue(layers.get(layers.size() - 1).contains("type=\"Result\""), layers.get(layers.size() - 1));
        assertTrue(xml.startsWith("<?xml version=\"1.0\"?>\n<net name=\"sample &quot;&amp;&lt;net&gt;&quot;\" version=\"11\">"),
                xml.substring(0, 80));
        // Convolution: inputs are ports 0 and 1, the output port 2, as OpenVINO's serializer numbers them.
        String conv = xml.substring(xml.indexOf("type=\"Convolution\""));
        conv = conv.substring(0, conv.indexOf("</layer>"));
        assertTrue(conv.contains("<data strides=\"1, 1\" dilations=\"1, 1\" pads_begin=\"1, 1\" pads_end=\"1, 1\" auto_pad=\"explicit\" />"), conv);
        assertTrue(conv.contains("<port id=\"2\" precision=\"FP32\" names=\"conv\">"), conv);
    }

    @Test
    void numbersLayersDepthFirstFromTheResultsSoConstantsSitBeforeTheirConsumer() {
        String xml = new IrWriter().toXml(sampleGraph(), new ByteArrayOutputStream());
        List<String> names = xml.lines().filter(l -> l.contains("<layer ")).map(l -> l.replaceAll(".*name=\"([^\"]*)\".*", "$1")).toList();
        assertEquals(List.of("input", "conv/weights", "conv", "conv/bias/value", "conv/bias", "relu", "pool",
                "flatten/shape", "flatten", "fq/il", "fq/ih", "fq", "fc/weights/i8", "fc/weights/convert"),
                names.subList(0, 14));
        assertTrue(xml.contains("<layer id=\"1\" name=\"conv/weights\""), "ids follow the same order");
        // Constants no Result depends on come after the reachable ops, before the Result.
        assertEquals("prob/sink", names.get(names.size() - 1));
        assertEquals("same as il", names.get(names.size() - 2));
    }

    @Test
    void storesIdenticalBlobsOnceAndPacksSubByteTypes() {
        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        String xml = new IrWriter().toXml(sampleGraph(), bin);
        String il = constData(xml, "fq/il");
        String same = constData(xml, "same as il");
        assertEquals(attr(il, "offset"), attr(same, "offset"));
        // i4 [-8, 7, -1]: low nibble first -> bytes 0x78, 0x0F.
        String i4 = constData(xml, "i4");
        assertEquals("2", attr(i4, "size"));
        int off = Integer.parseInt(attr(i4, "offset"));
        byte[] bytes = bin.toByteArray();
        assertEquals(0x78, bytes[off] & 0xFF);
        assertEquals(0x0F, bytes[off + 1] & 0xFF);
    }

    @Test
    void rejectsAValueThatDoesNotFitItsElementType() {
        GraphBuilder b = new GraphBuilder("bad");
        b.constant("too big", Tensor.of(ElementType.I8, new int[] {1}, new double[] {300}));
        IrException e = assertThrows(IrException.class, () -> new IrWriter().write(b.build(), dir.resolve("bad.xml")));
        assertTrue(e.getMessage().contains("name='too big'") && e.getMessage().contains("does not fit element type i8"),
                e.getMessage());
    }

    @Test
    void roundTripsRealV11Models() {
        for (String m : List.of("landmarks-regression-retail-0009/FP32", "landmarks-regression-retail-0009/FP16-INT8",
                "head-pose-estimation-adas-0001/FP16-INT8")) {
            Path src = SharedData.models().resolve(m).resolve(m.substring(0, m.indexOf('/')) + ".xml");
            Graph g = new IrReader().read(src);
            Path out = dir.resolve(m.replace('/', '_') + ".xml");
            new IrWriter().write(g, out);
            assertSameGraph(g, new IrReader().read(out));
        }
    }

    @Test
    void writtenGraphEvaluatesToTheSameOutputsAsTheOriginal() {
        Graph g = sampleGraph();
        Path xml = dir.resolve("eval.xml");
        new IrWriter().write(g, xml);
        assertSameOutputs(g, new IrReader().read(xml), 11);
    }

    @Test
    void writtenRealModelsEvaluateToTheSameOutputs() {
        for (String m : List.of("landmarks-regression-retail-0009/FP32", "landmarks-regression-retail-0009/FP16-INT8")) {
            Path src = SharedData.models().resolve(m).resolve(m.substring(0, m.indexOf('/')) + ".xml");
            Graph g = new IrReader().read(src);
            Path out = dir.resolve(m.replace('/', '_') + ".xml");
            new IrWriter().write(g, out);
            assertSameOutputs(g, new IrReader().read(out), 5);
        }
    }

    /** Same constants and structure give bit-identical outputs from the oracle, on a random input. */
    private static void assertSameOutputs(Graph original, Graph written, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> inputs = new HashMap<>();
        for (Node p : original.parameters()) {
            int[] shape = p.output(0).shape();
            double[] v = new double[dev.lowbit.graph.Shapes.size(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextDouble() * 255;
            }
            inputs.put(p.name(), Tensor.of(p.output(0).type(), shape, v));
        }
        Map<String, Tensor> a = new ReferenceEvaluator(original).run(inputs);
        Map<String, Tensor> b = new ReferenceEvaluator(written).run(inputs);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, t) -> assertArrayEquals(t.toDoubleArray(), b.get(name).toDoubleArray(), name));
    }

    /** Same nodes (the writer renumbers them, see IrWriter.layerIds), attributes, ports, inputs and values. */
    static void assertSameGraph(Graph expected, Graph actual) {
        assertEquals(expected.name(), actual.name());
        assertEquals(expected.nodes().size(), actual.nodes().size());
        Map<Integer, Integer> ids = IrWriter.layerIds(expected);
        for (Node e : expected.nodes()) {
            Node a = actual.node(ids.get(e.id()));
            String where = e.describe();
            assertEquals(e.name(), a.name(), where);
            assertEquals(e.type(), a.type(), where);
            assertEquals(e.version(), a.version(), where);
            assertEquals(layoutFree(e), layoutFree(a), where);
            assertEquals(e.inputs().stream().map(v -> new ValueRef(ids.get(v.node()), v.port())).toList(), a.inputs(), where);
            assertEquals(e.inputPorts().stream().map(p -> p.type() + java.util.Arrays.toString(p.shape())).toList(),
                    a.inputPorts().stream().map(p -> p.type() + java.util.Arrays.toString(p.shape())).toList(), where);
            assertEquals(e.outputs(), a.outputs(), where);
            if (e.is("Const")) {
                assertNotNull(a.constant(), where);
                assertEquals(e.constant().type(), a.constant().type(), where);
                assertArrayEquals(e.constant().shape(), a.constant().shape(), where);
                assertArrayEquals(e.constant().toDoubleArray(), a.constant().toDoubleArray(), where);
            }
        }
    }

    /** Attributes without a Const's layout in the .bin, which the writer recomputes. */
    private static Map<String, String> layoutFree(Node n) {
        Map<String, String> m = new LinkedHashMap<>(n.attributes().asMap());
        if (n.is("Const")) {
            m.remove("offset");
            m.remove("size");
            m.remove("shape");
        }
        return m;
    }

    private static String constData(String xml, String name) {
        int at = xml.indexOf("name=\"" + name + "\"");
        return xml.substring(xml.indexOf("<data", at), xml.indexOf("/>", xml.indexOf("<data", at)));
    }

    private static String attr(String data, String key) {
        int at = data.indexOf(" " + key + "=\"") + key.length() + 3;
        return data.substring(at, data.indexOf('"', at));
    }
}

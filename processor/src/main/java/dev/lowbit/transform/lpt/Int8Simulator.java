package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Executes a {@link LoweredModel} the way the generated code will: int8 layers with exact integer arithmetic
 * (int32 accumulators, checked never to overflow) and the kernels' f32 epilogue ({@link QuantizedLinear}),
 * precision-preserving ops on level indices, fp32 islands with the reference op semantics on dequantized
 * inputs. It is the proof that the lowering matches the IR: tests compare every quantized tensor with the
 * oracle's. Slow and simple on purpose. Stateless apart from the model; thread-safe if the model's constant
 * cache is already filled (it is not thread-safe itself).
 */
public final class Int8Simulator {
    /** A quantized tensor: level indices (row-major) with its shape and grid. Immutable by contract, thread-safe. */
    public record Levels(int[] shape, int[] q, QuantGrid grid) {
        /** The fp32 values, bit-identical to what the IR's FakeQuantize would give for these levels. */
        public Tensor dequantize() {
            float[] f = new float[q.length];
            int c = shape.length >= 2 ? shape[1] : 1;
            int inner = inner(shape);
            for (int i = 0; i < q.length; i++) {
                f[i] = grid.dequantize(q[i], (i / inner) % c);
            }
            return Tensor.f32(shape, f);
        }
    }

    private final LoweredModel model;
    private final Predicate<QuantizedLinear> borderTerm;
    /** The predicate's answer per layer, asked once (it may plan the layer's kernel). */
    private final Map<QuantizedLinear, Boolean> withBorderTerm = java.util.Collections.synchronizedMap(
            new java.util.IdentityHashMap<>());

    /** The exact simulator (with the border term of fractional zero points). */
    public Int8Simulator(LoweredModel model) {
        this(model, true);
    }

    /**
     * {@code borderTerm = false} simulates kernels that pad with the integer zero point and have no border term,
     * to measure what that costs on layers where {@link QuantizedLinear#needsBorderTerm()}.
     */
    public Int8Simulator(LoweredModel model, boolean borderTerm) {
        this(model, l -> borderTerm);
    }

    /**
     * The layers for which {@code borderTerm} holds get the border term, the others pad with the integer zero point
     * and have none: the generated code, whose kernels carry the term only in some forms.
     */
    public Int8Simulator(LoweredModel model, Predicate<QuantizedLinear> borderTerm) {
        this.model = model;
        this.borderTerm = borderTerm;
    }

    /** Model outputs by output name, fp32. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<ValueRef, Object> all = runAll(inputs);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Node r : model.graph().results()) {
            out.put(Signature.outputName(r), fp32(all, r.input(0)));
        }
        return out;
    }

    /** Every computed value: {@link Levels} for quantized values, {@link Tensor} for fp32 ones. */
    public Map<ValueRef, Object> runAll(Map<String, Tensor> inputs) {
        return runKeeping(inputs, v -> true);
    }

    /**
     * Like {@link #runAll} but forgets each value after its last use unless {@code keep} accepts it (model outputs
     * are always kept), so large models fit in memory.
     */
    public Map<ValueRef, Object> runKeeping(Map<String, Tensor> inputs, Predicate<ValueRef> keep) {
        Map<ValueRef, Integer> lastUse = new HashMap<>();
        List<LoweredStep> steps = model.steps();
        for (int i = 0; i < steps.size(); i++) {
            for (ValueRef in : steps.get(i).node().inputs()) {
                lastUse.put(in, i);
            }
            if (steps.get(i) instanceof QuantizedLinear l) {
                lastUse.put(l.input(), i);
            }
        }
        for (Node r : model.graph().results()) {
            lastUse.put(r.input(0), Integer.MAX_VALUE);
        }
        Map<ValueRef, Object> values = new HashMap<>();
        for (Node p : model.graph().parameters()) {
            Tensor t = inputs.get(Signature.inputName(p));
            if (t == null) {
                throw new IllegalArgumentException("missing input '" + Signature.inputName(p) + "'");
            }
            values.put(p.out(0), t);
        }
        for (int i = 0; i < steps.size(); i++) {
            LoweredStep s = steps.get(i);
            Map<ValueRef, Object> current = values;
            Object[] outs = execute(s, v -> current.get(v));
            if (s instanceof Fp32Step) {
                for (int o = 0; o < outs.length; o++) {
                    values.put(s.node().out(o), outs[o]);
                }
            } else {
                values.put(s.output(), outs[0]); // fused steps write the last fused node's value
            }
            final int step = i;
            values.keySet().removeIf(v -> !keep.test(v) && lastUse.getOrDefault(v, -1) <= step);
        }
        return values;
    }

    /**
     * Executes one step on the given values ({@link Levels} or {@link Tensor}; constants come from the model) and
     * returns its outputs by output port ({@link QuantizedLinear}: its one output). Lets a test feed each step
     * the oracle's inputs, to check every layer in isolation.
     */
    public Object[] execute(LoweredStep s, java.util.function.Function<ValueRef, Object> valueOf) {
        Map<ValueRef, Object> in = new HashMap<>();
        for (ValueRef v : s.node().inputs()) {
            if (!model.constants().isConstant(v)) {
                in.put(v, valueOf.apply(v));
            }
        }
        return switch (s) {
            case QuantizeStep q -> new Object[] {quantize(fp32(in, q.input()), q.grid())};
            case QuantizedLinear l -> new Object[] {l.kind() == QuantizedLinear.Kind.MATMUL
                    ? matmul(l, (Levels) in.get(l.input())) : convolution(l, (Levels) in.get(l.input()))};
            case PreservedStep p -> new Object[] {preserved(p, lookedUp(p, in))};
            case QuantizedAddStep a -> new Object[] {add(a, (Levels) in.get(a.a()), (Levels) in.get(a.b()))};
            case Fp32Step f -> ReferenceEvaluator.evaluate(f.node(), inputsOf(f.node(), in, false));
        };
    }

    private static Levels add(QuantizedAddStep s, Levels a, Levels b) {
        int[] shape = a.shape();
        int c = shape.length >= 2 ? shape[1] : 1;
        int inner = inner(shape);
        int[] q = new int[a.q().length];
        for (int i = 0; i < q.length; i++) {
            int ch = (i / inner) % c;
            q[i] = s.grid().quantize(a.grid().dequantize(a.q()[i], ch) + b.grid().dequantize(b.q()[i], ch), ch);
        }
        return new Levels(shape, q, s.grid());
    }

    /** Inputs of a step with their levels mapped through the step's lookup tables, where it has any. */
    private static Map<ValueRef, Object> lookedUp(PreservedStep p, Map<ValueRef, Object> in) {
        if (p.lookups().isEmpty()) {
            return in;
        }
        Map<ValueRef, Object> mapped = new HashMap<>(in);
        for (int i = 0; i < p.inputs().size(); i++) {
            int[] table = p.lookups().get(i);
            Levels l = (Levels) in.get(p.inputs().get(i));
            if (table != null) {
                int[] q = new int[l.q().length];
                for (int k = 0; k < q.length; k++) {
                    q[k] = table[l.q()[k]];
                }
                mapped.put(p.inputs().get(i), new Levels(l.shape(), q, p.grid()));
            }
        }
        return mapped;
    }

    private Tensor fp32(Map<ValueRef, Object> values, ValueRef v) {
        if (model.constants().isConstant(v)) {
            return model.constants().value(v);
        }
        Object o = values.get(v);
        if (o == null) {
            throw new IllegalStateException("value " + v + " of " + model.graph().node(v.node()).describe()
                    + " was not computed before use");
        }
        return o instanceof Levels l ? l.dequantize() : (Tensor) o;
    }

    private Tensor[] inputsOf(Node n, Map<ValueRef, Object> values, boolean levelsAsValues) {
        Tensor[] in = new Tensor[n.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            Object o = values.get(n.input(i));
            if (levelsAsValues && o instanceof Levels l) {
                float[] f = new float[l.q.length];
                for (int k = 0; k < f.length; k++) {
                    f[k] = l.q[k];
                }
                in[i] = Tensor.f32(l.shape, f);
            } else {
                in[i] = fp32(values, n.input(i));
            }
        }
        return in;
    }

    private static int inner(int[] shape) {
        int inner = 1;
        for (int a = 2; a < shape.length; a++) {
            inner *= shape[a];
        }
        return inner;
    }

    private static Levels quantize(Tensor x, QuantGrid grid) {
        int[] shape = x.shape();
        int c = shape.length >= 2 ? shape[1] : 1;
        int inner = inner(shape);
        int[] q = new int[x.size()];
        for (int i = 0; i < q.length; i++) {
            q[i] = grid.quantize((float) x.get(i), (i / inner) % c);
        }
        return new Levels(shape, q, grid);
    }

    private Levels preserved(PreservedStep p, Map<ValueRef, Object> values) {
        // The op's own semantics on levels held as small integers in f32: exact, and no second copy of the op.
        Tensor out = ReferenceEvaluator.evaluate(p.node(), inputsOf(p.node(), values, true))[0];
        int[] q = new int[out.size()];
        for (int i = 0; i < q.length; i++) {
            double v = out.get(i);
            q[i] = (int) v;
            if (q[i] != v) {
                throw new IllegalStateException(p.node().describe() + " gave a non-level value " + v);
            }
        }
        return new Levels(out.shape(), q, p.grid());
    }

    private Object convolution(QuantizedLinear l, Levels in) {
        int[] is = l.inputShape(), os = l.outputShape();
        int batch = is[0], h = is[2], w = is[3];
        int rows = l.outputChannels(), oh = os[2], ow = os[3];
        int kh = l.kernel()[0], kw = l.kernel()[1];
        int groups = l.groups(), cpg = l.channelsPerGroup(), rowsPerGroup = rows / groups;
        int k = l.weights().rowLength();
        int[] wq = new int[l.weights().values().length];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = l.weights().values()[i];
        }
        int[][] segOfChannel = new int[groups][cpg];
        int[][] padOfSeg = new int[groups][];
        for (int g = 0; g < groups; g++) {
            int[] segs = l.groupSegments()[g];
            padOfSeg[g] = new int[segs.length];
            for (int j = 0; j < segs.length; j++) {
                QuantizedLinear.InputSegment s = l.segments().get(segs[j]);
                padOfSeg[g][j] = s.padLevel();
                for (int c = s.from(); c < s.to(); c++) {
                    segOfChannel[g][c - g * cpg] = j;
                }
            }
        }
        int total = batch * rows * oh * ow;
        int[] q = l.requant() != null ? new int[total] : null;
        float[] f = l.requant() == null ? new float[total] : null;
        int[] qin = in.q();
        long[] acc = new long[8];
        long[] padded = new long[8];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < rows; oc++) {
                int g = oc / rowsPerGroup;
                int nseg = padOfSeg[g].length;
                if (acc.length < nseg) {
                    acc = new long[nseg];
                    padded = new long[nseg];
                }
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        Arrays.fill(acc, 0, nseg, 0);
                        Arrays.fill(padded, 0, nseg, 0);
                        for (int icl = 0; icl < cpg; icl++) {
                            int j = segOfChannel[g][icl];
                            int pad = padOfSeg[g][j];
                            int base = (n * is[1] + g * cpg + icl) * h * w;
                            int wbase = oc * k + icl * kh * kw;
                            long a = 0, p = 0;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = y * l.strides()[0] - l.padsBegin()[0] + ky * l.dilations()[0];
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = x * l.strides()[1] - l.padsBegin()[1] + kx * l.dilations()[1];
                                    int wv = wq[wbase + ky * kw + kx];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        a += (long) qin[base + iy * w + ix] * wv;
                                    } else {
                                        a += (long) pad * wv;
                                        p += wv;
                                    }
                                }
                            }
                            acc[j] += a;
                            padded[j] += p;
                        }
                        int o = ((n * rows + oc) * oh + y) * ow + x;
                        store(l, oc, acc, padded, nseg, o, q, f);
                    }
                }
            }
        }
        return q != null ? new Levels(os, q, l.requant()) : Tensor.f32(os, f);
    }

    private Object matmul(QuantizedLinear l, Levels a) {
        int[] as = a.shape();
        int m = l.transposeA() ? as[1] : as[0];
        int k = l.weights().rowLength();
        int rows = l.outputChannels();
        int[] segOfK = new int[k];
        int[] segs = l.groupSegments()[0];
        for (int j = 0; j < segs.length; j++) {
            QuantizedLinear.InputSegment s = l.segments().get(segs[j]);
            for (int c = s.from(); c < s.to(); c++) {
                segOfK[c] = j;
            }
        }
        int total = m * rows;
        int[] q = l.requant() != null ? new int[total] : null;
        float[] f = l.requant() == null ? new float[total] : null;
        long[] acc = new long[segs.length];
        for (int i = 0; i < m; i++) {
            for (int oc = 0; oc < rows; oc++) {
                Arrays.fill(acc, 0);
                for (int kk = 0; kk < k; kk++) {
                    int v = l.transposeA() ? a.q()[kk * m + i] : a.q()[i * k + kk];
                    acc[segOfK[kk]] += (long) v * l.weights().value(oc, kk);
                }
                store(l, oc, acc, null, segs.length, i * rows + oc, q, f);
            }
        }
        int[] os = l.outputShape();
        return q != null ? new Levels(os, q, l.requant()) : Tensor.f32(os, f);
    }

    /** The epilogue: the same f32 arithmetic the kernels use. */
    private void store(QuantizedLinear l, int oc, long[] acc, long[] padded, int nseg, int o, int[] q,
            float[] f) {
        float y = l.bias()[oc];
        int[] mine = l.groupSegments()[oc / (l.outputChannels() / l.groups())];
        if (padded != null && withBorderTerm.computeIfAbsent(l, borderTerm::test)) {
            for (int j = 0; j < nseg; j++) {
                if (padded[j] != 0) {
                    // border output: the padded taps stand for the real zero point z, not the integer p
                    QuantizedLinear.InputSegment s = l.segments().get(mine[j]);
                    y += (float) ((double) l.multiplier()[oc][j] * (s.zeroPoint() - s.padLevel()) * padded[j]);
                }
            }
        }
        for (int j = 0; j < nseg; j++) {
            long d = acc[j] - l.compensation()[oc][j];
            if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE || acc[j] < Integer.MIN_VALUE || acc[j] > Integer.MAX_VALUE) {
                throw new ArithmeticException(l.node().describe() + ": int32 accumulator overflow " + acc[j]);
            }
            y = Math.fma((float) d, l.multiplier()[oc][j], y);
        }
        if (l.relu()) {
            y = Math.max(y, 0f);
        }
        if (l.preluSlope() != null && y < 0f) {
            y *= l.preluSlope()[oc];
        }
        if (l.postScale() != null) {
            y *= l.postScale()[oc];
        }
        if (l.postShift() != null) {
            y += l.postShift()[oc];
        }
        if (q != null) {
            q[o] = l.requant().quantize(y, oc);
        } else {
            f[o] = y;
        }
    }
}

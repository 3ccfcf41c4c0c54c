package dev.lowbit.transform.lpt;

import java.util.Arrays;

/**
 * The quantization grid of one activation FakeQuantize, per tensor or per channel (axis 1): its levels and its
 * input and output ranges, exactly as the IR stores them (f16-rounded ranges included). A quantized tensor holds
 * the level index {@code q} in {@code [0, levels-1]} (u8 storage; the i8 view is {@code q - 128}).
 *
 * <p>This is the one place of the FakeQuantize arithmetic. {@link #quantize} and {@link #dequantize} are the
 * reference FakeQuantize split in two, in f32 and in the reference's order of operations, so
 * {@code dequantize(quantize(x))} is bit-identical to FakeQuantize(x): keeping the level index loses nothing.
 * In real arithmetic {@code dequantize(q) = step * (q - zeroPoint)} with {@code step = (oh-ol)/(levels-1)} and
 * {@code zeroPoint = -ol/step}, which need not be an integer (128.007... in the 2021.4 IRs). Immutable and thread-safe.
 */
public record QuantGrid(int levels, float[] inLow, float[] inHigh, float[] outLow, float[] outHigh) {

    public QuantGrid {
        int n = inLow.length;
        if (n == 0 || inHigh.length != n || outLow.length != n || outHigh.length != n) {
            throw new IllegalArgumentException("range arrays must have one common length >= 1");
        }
        if (levels < 2 || levels > 256) {
            throw new IllegalArgumentException("levels " + levels + " does not fit u8 storage");
        }
        inLow = inLow.clone();
        inHigh = inHigh.clone();
        outLow = outLow.clone();
        outHigh = outHigh.clone();
    }

    public static QuantGrid perTensor(int levels, float il, float ih, float ol, float oh) {
        return new QuantGrid(levels, new float[] {il}, new float[] {ih}, new float[] {ol}, new float[] {oh});
    }

    /** Number of channels described (1 = per tensor). */
    public int channels() {
        return inLow.length;
    }

    public boolean isPerTensor() {
        return channels() == 1 || uniform();
    }

    private boolean uniform() {
        for (int c = 1; c < channels(); c++) {
            if (inLow[c] != inLow[0] || inHigh[c] != inHigh[0] || outLow[c] != outLow[0] || outHigh[c] != outHigh[0]) {
                return false;
            }
        }
        return true;
    }

    /** The same grid described with one entry per channel. */
    public QuantGrid expand(int channelCount) {
        if (channels() == channelCount) {
            return this;
        }
        if (channels() != 1) {
            throw new IllegalArgumentException("cannot expand a grid of " + channels() + " channels to " + channelCount);
        }
        float[] a = new float[channelCount], b = new float[channelCount], c = new float[channelCount], d = new float[channelCount];
        Arrays.fill(a, inLow[0]);
        Arrays.fill(b, inHigh[0]);
        Arrays.fill(c, outLow[0]);
        Arrays.fill(d, outHigh[0]);
        return new QuantGrid(levels, a, b, c, d);
    }

    /** Grid entry of channel {@code c} (any channel of a per-tensor grid). */
    private int at(int c) {
        return channels() == 1 ? 0 : c;
    }

    /** Level index of x: the reference FakeQuantize up to and including the rounding (half to even), in f32. */
    public int quantize(float x, int channel) {
        int i = at(channel);
        float il = inLow[i], ih = inHigh[i];
        if (x <= Math.min(il, ih)) {
            return 0;
        }
        if (x > Math.max(il, ih)) {
            return levels - 1;
        }
        float t = ((x - il) / (ih - il)) * (float) (levels - 1);
        return (int) Math.rint(t);
    }

    /**
     * The FakeQuantize output for level q: {@code q / (levels-1) * (oh - ol) + ol}, in f32 in that order, bit-identical
     * to the reference for every input inside the input range. (An input above input_high gives output_high itself,
     * which the formula at the top level can miss by one ulp; level 0 is output_low either way.)
     */
    public float dequantize(int q, int channel) {
        int i = at(channel);
        return (float) q / (float) (levels - 1) * (outHigh[i] - outLow[i]) + outLow[i];
    }

    /** Real step between levels, {@code (oh - ol) / (levels - 1)}. */
    public double step(int channel) {
        int i = at(channel);
        return ((double) outHigh[i] - outLow[i]) / (levels - 1);
    }

    /** Real zero point, {@code -ol / step}: the (possibly fractional) level that dequantizes to 0. */
    public double zeroPoint(int channel) {
        int i = at(channel);
        double z = -outLow[i] / step(channel);
        if (Math.abs(z - Math.rint(z)) < 1e-9) {
            z = Math.rint(z); // double rounding noise of -ol/step (ranges are f32), not a fractional zero point
        }
        return z == 0 ? 0 : z; // no -0.0

    }

    /** Level used for padding: the zero point rounded to an integer level (exact when the zero point is integral). */
    public int padLevel(int channel) {
        long r = Math.round(zeroPoint(channel));
        return (int) Math.max(0, Math.min(levels - 1, r));
    }

    /** Whether all outputs are >= 0, so ReLU after this grid is the identity. */
    public boolean nonNegative() {
        for (int c = 0; c < channels(); c++) {
            if (outLow[c] < 0 || outHigh[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether dequantization is non-decreasing in q on every channel (max commutes with it). */
    public boolean monotone() {
        for (int c = 0; c < channels(); c++) {
            if (outHigh[c] < outLow[c]) {
                return false;
            }
        }
        return true;
    }

    /** The per-channel grid of a Concat along axis 1 of tensors with these grids and channel counts. */
    public static QuantGrid concatChannels(QuantGrid[] parts, int[] channelCounts) {
        int total = Arrays.stream(channelCounts).sum();
        float[] a = new float[total], b = new float[total], c = new float[total], d = new float[total];
        int at = 0;
        for (int p = 0; p < parts.length; p++) {
            if (parts[p].levels != parts[0].levels) {
                throw new IllegalArgumentException("concatenated grids have different levels");
            }
            QuantGrid g = parts[p].expand(channelCounts[p]);
            System.arraycopy(g.inLow, 0, a, at, channelCounts[p]);
            System.arraycopy(g.inHigh, 0, b, at, channelCounts[p]);
            System.arraycopy(g.outLow, 0, c, at, channelCounts[p]);
            System.arraycopy(g.outHigh, 0, d, at, channelCounts[p]);
            at += channelCounts[p];
        }
        return new QuantGrid(parts[0].levels, a, b, c, d);
    }

    /** The per-tensor grid spanning all given per-tensor grids (same levels): min of lows, max of highs. */
    public static QuantGrid union(java.util.List<QuantGrid> grids) {
        float il = Float.MAX_VALUE, ih = -Float.MAX_VALUE, ol = Float.MAX_VALUE, oh = -Float.MAX_VALUE;
        for (QuantGrid g : grids) {
            if (g.channels() != 1 || g.levels != grids.get(0).levels) {
                throw new IllegalArgumentException("union needs per-tensor grids with equal levels");
            }
            il = Math.min(il, g.inLow[0]);
            ih = Math.max(ih, g.inHigh[0]);
            ol = Math.min(ol, g.outLow[0]);
            oh = Math.max(oh, g.outHigh[0]);
        }
        return perTensor(grids.get(0).levels, il, ih, ol, oh);
    }

    /** For each level of per-tensor grid {@code from}, the nearest level of this per-tensor grid (a u8 table). */
    public int[] lookupFrom(QuantGrid from) {
        int[] t = new int[from.levels];
        for (int q = 0; q < t.length; q++) {
            t[q] = quantize(from.dequantize(q, 0), 0);
        }
        return t;
    }

    public boolean sameAs(QuantGrid o) {
        return levels == o.levels && Arrays.equals(inLow, o.inLow) && Arrays.equals(inHigh, o.inHigh)
                && Arrays.equals(outLow, o.outLow) && Arrays.equals(outHigh, o.outHigh);
    }

    @Override
    public String toString() {
        if (isPerTensor()) {
            return "grid(levels " + levels + ", in [" + inLow[0] + ", " + inHigh[0] + "], out [" + outLow[0] + ", "
                    + outHigh[0] + "], zero point " + zeroPoint(0) + ")";
        }
        return "grid(levels " + levels + ", per channel x" + channels() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantGrid g && sameAs(g);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inLow) * 31 + Arrays.hashCode(outLow);
    }
}

package dev.lowbit.runtime.fp32;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a float convolution's output goes through before it is stored: per-output-channel steps, each
 * {@code + b[o]}, {@code * s[o]} or ReLU, in the IR's order (bias, ReLU, then a batch norm's scale and shift, as in
 * head-pose's {@code conv1 -> relu -> bn1}), that fit {@link EpilogueSlots}' shape. Each step is the same single f32
 * operation as the separate {@link Elementwise#perChannel} or {@link Activations#relu} pass it replaces, in the same
 * order, and the slots a chain leaves empty are exact identities, so the result is bit for bit that of those
 * passes; what it saves is reading and writing the whole tensor once per step. All steps run on a vector before it
 * is stored (a bias and a ReLU, the commonest chain, in three operations instead of seven; a bias alone in two).
 *
 * <p>Built step by step: {@code ChannelEpilogue.channels(64).add(bias).relu()}. Immutable (the operand arrays are
 * the generated class's constants and are not copied); thread-safe.
 */
public final class ChannelEpilogue {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The lanes of a channels-last vector ({@link #channelsLast}): the Winograd tiles' 16 channels. */
    private static final VectorSpecies<Float> CHANNELS = FloatVector.SPECIES_512;

    private final int channels;
    /** The steps' kinds, in order ("add", "multiply", "relu"). */
    private final String[] kinds;
    /** The slot of {@link EpilogueSlots#SLOTS} each step took; -1 before the first. */
    private final int lastSlot;
    /** The slots' per-channel operands, identities where no step took them. */
    private final float[] a1, m1, a2, m2, a3;
    /** ReLU replaces values {@code <=} this by +0: 0 with a ReLU step, NaN (never) without. */
    private final float reluAtOrBelow;
    /** The bias when the steps are exactly a bias and a ReLU, else null. */
    private final float[] biasRelu;
    /** The bias when the only step is a bias (the layers before a PReLU, detection heads), else null. */
    private final float[] biasOnly;

    private ChannelEpilogue(int channels, String[] kinds, int lastSlot, float[][] slots) {
        this.channels = channels;
        this.kinds = kinds;
        this.lastSlot = lastSlot;
        this.a1 = slots[0];
        this.m1 = slots[1];
        this.a2 = slots[2];
        this.m2 = slots[4];
        this.a3 = slots[5];
        this.reluAtOrBelow = Arrays.asList(kinds).contains("relu") ? 0f : Float.NaN;
        this.biasRelu = kinds.length == 2 && kinds[0].equals("add") && kinds[1].equals("relu") ? a1 : null;
        this.biasOnly = kinds.length == 1 && kinds[0].equals("add") ? a1 : null;
    }

    /** No steps yet, for a layer of {@code channels} output channels. */
    public static ChannelEpilogue channels(int channels) {
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be positive, got " + channels);
        }
        float[][] slots = new float[EpilogueSlots.SLOTS.size()][];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = identity(EpilogueSlots.SLOTS.get(s), channels);
        }
        return new ChannelEpilogue(channels, new String[0], -1, slots);
    }

    /** Then {@code y + b[o]}. */
    public ChannelEpilogue add(float[] b) {
        return then("add", b);
    }

    /** Then {@code y * s[o]}. */
    public ChannelEpilogue multiply(float[] s) {
        return then("multiply", s);
    }

    /** Then {@code max(y, 0)}. */
    public ChannelEpilogue relu() {
        return then("relu", null);
    }

    private ChannelEpilogue then(String kind, float[] operand) {
        if (!kind.equals("relu") && (operand == null || operand.length != channels)) {
            throw new IllegalArgumentException(kind + " step: expected " + channels + " per-channel values, got "
                    + (operand == null ? "none" : operand.length));
        }
        int slot = EpilogueSlots.next(kind, lastSlot);
        if (slot < 0) {
            throw new IllegalArgumentException("a " + kind + " step after " + Arrays.toString(kinds)
                    + " does not fit the epilogue's shape " + EpilogueSlots.SLOTS);
        }
        float[][] slots = {a1, m1, a2, null, m2, a3};
        if (operand != null) {
            slots[slot] = operand;
        }
        String[] k = Arrays.copyOf(kinds, kinds.length + 1);
        k[kinds.length] = kind;
        return new ChannelEpilogue(channels, k, slot, slots);
    }

    /** {@code + -0.0f} and {@code * 1} change no value, -0 and NaN included ({@code + 0} would turn -0 into +0). */
    private static float[] identity(String kind, int channels) {
        float[] v = new float[channels];
        Arrays.fill(v, kind.equals("add") ? -0.0f : 1f);
        return kind.equals("relu") ? null : v;
    }

    /** The output channels the steps' operands cover. */
    public int channels() {
        return channels;
    }

    /**
     * Channels {@code [channel0, channel0 + count)} of an NCHW tensor, in place: channel {@code channel0 + i}'s
     * values {@code y[at + i * plane + from ..  at + i * plane + to)}.
     */
    public void planes(float[] y, int at, int plane, int channel0, int count, int from, int to) {
        for (int i = 0; i < count; i++) {
            int c = channel0 + i, base = at + i * plane + from, n = to - from;
            if (biasRelu != null) {
                addRelu(y, base, n, biasRelu[c]);
            } else if (biasOnly != null) {
                add(y, base, n, biasOnly[c]);
            } else {
                all(y, base, n, a1[c], m1[c], a2[c], reluAtOrBelow, m2[c], a3[c]);
            }
        }
    }

    /**
     * {@code pixels} channels-last vectors of 16 channels {@code [channel0, channel0 + 16)} at
     * {@code s[at + p * 16]}, in place (the Winograd output tiles before their scatter into NCHW).
     */
    public void channelsLast(float[] s, int at, int pixels, int channel0) {
        int lanes = CHANNELS.length();
        FloatVector va1 = FloatVector.fromArray(CHANNELS, a1, channel0);
        FloatVector vm1 = FloatVector.fromArray(CHANNELS, m1, channel0);
        FloatVector va2 = FloatVector.fromArray(CHANNELS, a2, channel0);
        FloatVector vm2 = FloatVector.fromArray(CHANNELS, m2, channel0);
        FloatVector va3 = FloatVector.fromArray(CHANNELS, a3, channel0);
        FloatVector limit = FloatVector.broadcast(CHANNELS, reluAtOrBelow);
        FloatVector zero = FloatVector.zero(CHANNELS);
        for (int p = 0; p < pixels; p++) {
            FloatVector v = FloatVector.fromArray(CHANNELS, s, at + p * lanes).add(va1).mul(vm1).add(va2);
            v.blend(zero, v.compare(VectorOperators.LE, limit)).mul(vm2).add(va3).intoArray(s, at + p * lanes);
        }
    }

    /**
     * The bias when the steps are exactly a bias and a ReLU (most convolutions), else null: a caller that holds the
     * outputs in registers applies that form in its own store loop.
     */
    public float[] biasOfBiasRelu() {
        return biasRelu;
    }

    /**
     * max(y + b, 0) over {@code y[at .. at + n)}. ReLU as a compare and a blend, exactly {@link Math#max}'s result
     * (+0 for -0, NaN kept), as {@link Activations#relu}.
     */
    private static void addRelu(float[] y, int at, int n, float b) {
        FloatVector bv = FloatVector.broadcast(F, b);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, y, at + i).add(bv);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at + i);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, y, at + i, tail).add(bv);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at + i, tail);
        }
    }

    /** y + b over {@code y[at .. at + n)}. */
    private static void add(float[] y, int at, int n, float b) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector.fromArray(F, y, at + i).add(bv).intoArray(y, at + i);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            FloatVector.fromArray(F, y, at + i, tail).add(bv).intoArray(y, at + i, tail);
        }
    }

    /** Every slot over {@code y[at .. at + n)}, one channel's operands. */
    private static void all(float[] y, int at, int n, float a1, float m1, float a2, float limit, float m2, float a3) {
        FloatVector va1 = FloatVector.broadcast(F, a1);
        FloatVector vm1 = FloatVector.broadcast(F, m1);
        FloatVector va2 = FloatVector.broadcast(F, a2);
        FloatVector vl = FloatVector.broadcast(F, limit);
        FloatVector vm2 = FloatVector.broadcast(F, m2);
        FloatVector va3 = FloatVector.broadcast(F, a3);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, y, at + i).add(va1).mul(vm1).add(va2);
            v.blend(zero, v.compare(VectorOperators.LE, vl)).mul(vm2).add(va3).intoArray(y, at + i);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, y, at + i, tail).add(va1).mul(vm1).add(va2);
            v.blend(zero, v.compare(VectorOperators.LE, vl)).mul(vm2).add(va3).intoArray(y, at + i, tail);
        }
    }

    /** The channels and the steps in order, e.g. "64 channels: add, relu, multiply, add". */
    @Override
    public String toString() {
        return channels + " channels: " + String.join(", ", kinds);
    }
}

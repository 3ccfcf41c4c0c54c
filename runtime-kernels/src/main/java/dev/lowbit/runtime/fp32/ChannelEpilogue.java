package dev.lowbit.runtime.fp32;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a float convolution's output goes through before it is stored: a sequence of per-output-channel steps, each
 * {@code + b[o]}, {@code * s[o]} or ReLU, in the IR's order (bias, ReLU, then a batch norm's scale and shift, as in
 * head-pose's {@code conv1 -> relu -> bn1}). Each step is the same single f32 operation as the separate
 * {@link Elementwise#perChannel} or {@link Activations#relu} pass it replaces, applied in the same order, so the
 * result is bit-identical to those passes; what it saves is reading and writing the whole tensor once per step
 * (face-detection FP32 spent 0.5 ms of 7.8 in its bias and ReLU passes).
 *
 * <p>Built step by step: {@code ChannelEpilogue.channels(64).add(bias).relu()}. Immutable (the arrays are the
 * generated class's constants and are not copied); thread-safe.
 */
public final class ChannelEpilogue {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The lanes of a channels-last vector ({@link #channelsLast}): the Winograd tiles' 16 channels. */
    private static final VectorSpecies<Float> CHANNELS = FloatVector.SPECIES_512;

    private enum Kind { ADD, MULTIPLY, RELU }

    private final int channels;
    private final Kind[] kinds;
    /** Per step, its per-channel operand (null for ReLU). */
    private final float[][] operands;

    private ChannelEpilogue(int channels, Kind[] kinds, float[][] operands) {
        this.channels = channels;
        this.kinds = kinds;
        this.operands = operands;
    }

    /** No steps yet, for a layer of {@code channels} output channels. */
    public static ChannelEpilogue channels(int channels) {
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be positive, got " + channels);
        }
        return new ChannelEpilogue(channels, new Kind[0], new float[0][]);
    }

    /** Then {@code y + b[o]}. */
    public ChannelEpilogue add(float[] b) {
        return then(Kind.ADD, b);
    }

    /** Then {@code y * s[o]}. */
    public ChannelEpilogue multiply(float[] s) {
        return then(Kind.MULTIPLY, s);
    }

    /** Then {@code max(y, 0)}. */
    public ChannelEpilogue relu() {
        return then(Kind.RELU, null);
    }

    private ChannelEpilogue then(Kind kind, float[] operand) {
        if (kind != Kind.RELU && (operand == null || operand.length != channels)) {
            throw new IllegalArgumentException(kind + " step: expected " + channels + " per-channel values, got "
                    + (operand == null ? "none" : operand.length));
        }
        Kind[] k = Arrays.copyOf(kinds, kinds.length + 1);
        float[][] v = Arrays.copyOf(operands, operands.length + 1);
        k[kinds.length] = kind;
        v[kinds.length] = operand;
        return new ChannelEpilogue(channels, k, v);
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
            range(y, at + i * plane + from, to - from, channel0 + i);
        }
    }

    /**
     * The bias when the steps are exactly a bias and a ReLU (most convolutions), else null: callers that hold the
     * outputs in registers apply that form as they store them.
     */
    public float[] biasOfBiasRelu() {
        return kinds.length == 2 && kinds[0] == Kind.ADD && kinds[1] == Kind.RELU ? operands[0] : null;
    }

    /**
     * {@code pixels} channels-last vectors of 16 channels {@code [channel0, channel0 + 16)} at
     * {@code s[at + p * 16]}, in place (the Winograd output tiles before their scatter into NCHW).
     */
    public void channelsLast(float[] s, int at, int pixels, int channel0) {
        int lanes = CHANNELS.length();
        for (int k = 0; k < kinds.length; k++) {
            // one loop per step: a vector chosen by a branch inside a loop can be boxed by C2
            switch (kinds[k]) {
                case ADD -> {
                    FloatVector b = FloatVector.fromArray(CHANNELS, operands[k], channel0);
                    for (int p = 0; p < pixels; p++) {
                        FloatVector.fromArray(CHANNELS, s, at + p * lanes).add(b).intoArray(s, at + p * lanes);
                    }
                }
                case MULTIPLY -> {
                    FloatVector m = FloatVector.fromArray(CHANNELS, operands[k], channel0);
                    for (int p = 0; p < pixels; p++) {
                        FloatVector.fromArray(CHANNELS, s, at + p * lanes).mul(m).intoArray(s, at + p * lanes);
                    }
                }
                case RELU -> {
                    FloatVector zero = FloatVector.zero(CHANNELS);
                    for (int p = 0; p < pixels; p++) {
                        FloatVector v = FloatVector.fromArray(CHANNELS, s, at + p * lanes);
                        v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(s, at + p * lanes);
                    }
                }
            }
        }
    }

    /**
     * {@code y[at .. at + n)}, all of channel {@code channel}, in place: the common sequences (bias; bias and ReLU)
     * in one pass with the last vector masked, others step by step over the run.
     */
    private void range(float[] y, int at, int n, int channel) {
        float[] bias = biasOfBiasRelu();
        if (bias != null) {
            addRelu(y, at, n, bias[channel]);
            return;
        }
        for (int k = 0; k < kinds.length; k++) {
            switch (kinds[k]) {
                case ADD -> add(y, at, n, operands[k][channel]);
                case MULTIPLY -> multiply(y, at, n, operands[k][channel]);
                case RELU -> relu(y, at, n);
            }
        }
    }

    private static void addRelu(float[] y, int at, int n, float b) {
        FloatVector bv = FloatVector.broadcast(F, b);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, y, at + i).add(bv);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at + i);
        }
        if (i < n) {
            var tail = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, y, at + i, tail).add(bv);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at + i, tail);
        }
    }

    private static void add(float[] y, int at, int n, float b) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector.fromArray(F, y, at + i).add(bv).intoArray(y, at + i);
        }
        for (; i < n; i++) {
            y[at + i] = y[at + i] + b;
        }
    }

    private static void multiply(float[] y, int at, int n, float s) {
        FloatVector sv = FloatVector.broadcast(F, s);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector.fromArray(F, y, at + i).mul(sv).intoArray(y, at + i);
        }
        for (; i < n; i++) {
            y[at + i] = y[at + i] * s;
        }
    }

    /** As {@link Activations#relu}. */
    private static void relu(float[] y, int at, int n) {
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, y, at + i);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at + i);
        }
        for (; i < n; i++) {
            y[at + i] = Math.max(y[at + i], 0f);
        }
    }

    /** The channels and the steps in order, e.g. "64 channels: add, relu, multiply, add". */
    @Override
    public String toString() {
        return channels + " channels: " + String.join(", ", Arrays.stream(kinds).map(k -> k.name().toLowerCase(
                java.util.Locale.ROOT)).toList());
    }
}

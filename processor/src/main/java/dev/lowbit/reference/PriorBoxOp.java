package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * PriorBox-1 and PriorBox-8: SSD default boxes for every cell of a feature map, normalized to the image size.
 * Output [2, 4 * H * W * priors]: row 0 holds (xmin, ymin, xmax, ymax) per prior, row 1 the variances. The
 * arithmetic is done in float in the order of OpenVINO's prior_box.hpp so the boxes match it bit for bit.
 * Stateless, thread-safe.
 */
final class PriorBoxOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        PriorGrid grid = PriorGrid.of(node, inputs);
        PriorBoxAttributes a = PriorBoxAttributes.of(node);
        long priors = a.numberOfPriors();
        int[] shape = grid.outputShape(node, priors);
        float[] dst = new float[shape[0] * shape[1]];
        BoxWriter out = new BoxWriter(node, dst, shape[1], grid);
        writeBoxes(node, a, grid, out);
        if (out.written() != shape[1]) {
            long cells = (long) grid.height() * grid.width();
            throw new IrException(node, "the attributes generate " + out.written() / 4 / cells
                    + " priors per cell, but OpenVINO's number_of_priors counts " + priors);
        }
        if (a.clip()) {
            for (int i = 0; i < shape[1]; i++) {
                dst[i] = Math.min(Math.max(dst[i], 0.0f), 1.0f);
            }
        }
        writeVariances(a.variance(), dst, shape[1]);
        double[] values = new double[dst.length];
        for (int i = 0; i < dst.length; i++) {
            values[i] = dst[i];
        }
        return new Tensor[] {Tensor.of(ElementType.F32, shape, values)};
    }

    private static void writeBoxes(Node node, PriorBoxAttributes a, PriorGrid grid, BoxWriter out) {
        float[] ratios = a.aspectRatiosInUse();
        float step = a.step();
        float[] minSize = a.minSize().clone();
        if (!a.scaleAllSizes()) {
            // mxnet-like PriorBox: step and min sizes are fractions of the image height
            step = step == -1 ? 1.f * grid.imageHeight() / grid.height() : step * grid.imageHeight();
            for (int i = 0; i < minSize.length; i++) {
                minSize[i] *= grid.imageHeight();
            }
        }
        float stepX = step == 0 ? (float) grid.imageWidth() / grid.width() : step;
        float stepY = step == 0 ? (float) grid.imageHeight() / grid.height() : step;
        for (int h = 0; h < grid.height(); h++) {
            for (int w = 0; w < grid.width(); w++) {
                float cx = step == 0 ? (w + 0.5f) * stepX : (a.offset() + w) * step;
                float cy = step == 0 ? (h + 0.5f) * stepY : (a.offset() + h) * step;
                writeFixedSizeBoxes(node, a, ratios, cx, cy, out);
                writeMinMaxBoxes(a, ratios, minSize, cx, cy, out);
            }
        }
    }

    /** Boxes of fixed_size, repeated density x density times inside the cell (always clipped to the image). */
    private static void writeFixedSizeBoxes(Node node, PriorBoxAttributes a, float[] ratios, float cx, float cy,
            BoxWriter out) {
        float[] fixedSize = a.fixedSize();
        for (int s = 0; s < fixedSize.length; s++) {
            long size = (long) fixedSize[s];
            float half = size * 0.5f;
            if (a.fixedRatio().length > 0) {
                for (float ratio : a.fixedRatio()) {
                    float ar = (float) Math.sqrt(ratio);
                    writeDense(node, a, s, size, cx, cy, fixedSize[s] * 0.5f * ar, fixedSize[s] * 0.5f / ar, out);
                }
            } else {
                if (a.density().length > 0) {
                    writeDense(node, a, s, size, cx, cy, half, half, out);
                }
                for (float ratio : ratios) {
                    if (Math.abs(ratio - 1.) < 1e-6) {
                        continue;
                    }
                    float ar = (float) Math.sqrt(ratio);
                    writeDense(node, a, s, size, cx, cy, fixedSize[s] * 0.5f * ar, fixedSize[s] * 0.5f / ar, out);
                }
            }
        }
    }

    private static void writeDense(Node node, PriorBoxAttributes a, int s, long size, float cx, float cy, float halfW,
            float halfH, BoxWriter out) {
        if (s >= a.density().length) {
            throw new IrException(node, "fixed_size has " + a.fixedSize().length + " entries but density only "
                    + a.density().length);
        }
        long density = (long) a.density()[s];
        long shift = (long) (a.fixedSize()[s] / density);
        for (long r = 0; r < density; r++) {
            for (long c = 0; c < density; c++) {
                float x = cx - (float) (size / 2) + shift / 2.f + (float) (c * shift);
                float y = cy - (float) (size / 2) + shift / 2.f + (float) (r * shift);
                out.box(x, y, halfW, halfH, true);
            }
        }
    }

    /** The Caffe boxes: per min_size a square, the sqrt(min * max) square and one box per aspect ratio. */
    private static void writeMinMaxBoxes(PriorBoxAttributes a, float[] ratios, float[] minSize, float cx, float cy,
            BoxWriter out) {
        for (int m = 0; m < minSize.length; m++) {
            float half = minSize[m] * 0.5f;
            out.box(cx, cy, half, half, false);
            boolean ratiosHere = a.scaleAllSizes() || m == minSize.length - 1;
            int ratioSize = a.scaleAllSizes() ? m : 0;
            if (a.minMaxAspectRatiosOrder()) {
                writeMaxBox(a, minSize, m, cx, cy, out);
                if (ratiosHere) {
                    writeRatioBoxes(ratios, minSize[ratioSize], cx, cy, out);
                }
            } else {
                if (ratiosHere) {
                    writeRatioBoxes(ratios, minSize[ratioSize], cx, cy, out);
                }
                writeMaxBox(a, minSize, m, cx, cy, out);
            }
        }
    }

    private static void writeMaxBox(PriorBoxAttributes a, float[] minSize, int m, float cx, float cy, BoxWriter out) {
        if (a.maxSize().length > m) {
            float half = (float) Math.sqrt(minSize[m] * a.maxSize()[m]) * 0.5f;
            out.box(cx, cy, half, half, false);
        }
    }

    private static void writeRatioBoxes(float[] ratios, float size, float cx, float cy, BoxWriter out) {
        for (float ratio : ratios) {
            if (Math.abs(ratio - 1.0f) < 1e-6) {
                continue;
            }
            float ar = (float) Math.sqrt(ratio);
            out.box(cx, cy, size * 0.5f * ar, size * 0.5f / ar, false);
        }
    }

    private static void writeVariances(float[] variance, float[] dst, int channel) {
        if (variance.length == 0) {
            variance = new float[] {0.1f};
        }
        for (int i = 0; i < channel; i++) {
            dst[channel + i] = variance.length == 1 ? variance[0] : variance[i % 4];
        }
    }

    /** Appends normalized boxes to row 0 of the output, refusing to run past its end. */
    private static final class BoxWriter {
        private final Node node;
        private final float[] dst;
        private final int capacity;
        private final float invWidth;
        private final float invHeight;
        private int next;

        BoxWriter(Node node, float[] dst, int capacity, PriorGrid grid) {
            this.node = node;
            this.dst = dst;
            this.capacity = capacity;
            this.invWidth = 1.0f / (float) grid.imageWidth();
            this.invHeight = 1.0f / (float) grid.imageHeight();
        }

        void box(float cx, float cy, float halfW, float halfH, boolean clip) {
            if (next + 4 > capacity) {
                throw new IrException(node, "the attributes generate more priors than OpenVINO's number_of_priors "
                        + "counts (" + capacity / 4 + " boxes in total)");
            }
            float xmin = (cx - halfW) * invWidth;
            float ymin = (cy - halfH) * invHeight;
            float xmax = (cx + halfW) * invWidth;
            float ymax = (cy + halfH) * invHeight;
            dst[next++] = clip ? Math.max(xmin, 0) : xmin;
            dst[next++] = clip ? Math.max(ymin, 0) : ymin;
            dst[next++] = clip ? Math.min(xmax, 1) : xmax;
            dst[next++] = clip ? Math.min(ymax, 1) : ymax;
        }

        int written() {
            return next;
        }
    }
}

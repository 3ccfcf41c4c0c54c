package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * PriorBoxClustered-1: one box of each (width[s], height[s]) centred at every feature-map cell, normalized to
 * the image size. Attributes width, height, clip (default true), step, step_w, step_h, offset, variance; a zero
 * step_w / step_h falls back to step, and if both stay zero the step is image size / feature-map size. Output
 * [2, 4 * H * W * priors]: boxes, then variances. Float arithmetic in the order of OpenVINO's
 * prior_box_clustered.hpp. Stateless, thread-safe.
 */
final class PriorBoxClusteredOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        PriorGrid grid = PriorGrid.of(node, inputs);
        float[] widths = FloatAttributes.list(node, "width");
        float[] heights = FloatAttributes.list(node, "height");
        if (widths.length != heights.length) {
            throw new IrException(node, "attribute 'width' has " + widths.length + " values but 'height' has "
                    + heights.length);
        }
        float[] variance = FloatAttributes.list(node, "variance");
        if (variance.length == 0) {
            variance = new float[] {0.1f};
        } else if (variance.length != 1 && variance.length != 4) {
            throw new IrException(node, "attribute 'variance'=" + Arrays.toString(variance)
                    + " must have 0, 1 or 4 elements");
        }
        boolean clip = node.attributes().bool("clip", true);
        float offset = FloatAttributes.required(node, "offset");
        float step = FloatAttributes.scalar(node, "step", 0f);
        float stepW = FloatAttributes.scalar(node, "step_w", 0f);
        float stepH = FloatAttributes.scalar(node, "step_h", 0f);
        stepW = stepW == 0 ? step : stepW;
        stepH = stepH == 0 ? step : stepH;
        if (stepW == 0 && stepH == 0) {
            stepW = (float) grid.imageWidth() / grid.width();
            stepH = (float) grid.imageHeight() / grid.height();
        }
        int priors = widths.length;
        int[] shape = grid.outputShape(node, priors);
        int channel = shape[1];
        double[] out = new double[2 * channel];
        int idx = 0;
        for (int h = 0; h < grid.height(); h++) {
            for (int w = 0; w < grid.width(); w++) {
                float cx = (w + offset) * stepW;
                float cy = (h + offset) * stepH;
                for (int s = 0; s < priors; s++) {
                    float[] box = {
                        (cx - widths[s] / 2.0f) / grid.imageWidth(),
                        (cy - heights[s] / 2.0f) / grid.imageHeight(),
                        (cx + widths[s] / 2.0f) / grid.imageWidth(),
                        (cy + heights[s] / 2.0f) / grid.imageHeight()
                    };
                    for (int j = 0; j < 4; j++) {
                        out[idx + j] = clip ? Math.min(Math.max(box[j], 0.0f), 1.0f) : box[j];
                        out[channel + idx + j] = variance.length == 1 ? variance[0] : variance[j];
                    }
                    idx += 4;
                }
            }
        }
        return new Tensor[] {Tensor.of(ElementType.F32, shape, out)};
    }
}

package dev.lowbit.reference;

/**
 * The forward convolution loop nest shared by Convolution and GroupConvolution: NC[D]HW input, weights laid
 * out as [groups * outPerGroup, inPerGroup, kD, kH, kW] (GroupConvolution's [G, O/G, I/G, ...] flattens to
 * exactly that). For each output channel, every weight tap is added, times the input it sees, to the
 * output positions whose window reads a real (non-padding) input; the index ranges come from
 * {@link ConvGeometry#firstValid} / {@link ConvGeometry#endValid}, so the inner loop has no bounds checks.
 * Sums are accumulated in double; every product of two f32 values is exact in double, so the result hardly
 * depends on summation order. Stateless, thread-safe.
 */
final class ConvolutionKernel {
    private ConvolutionKernel() {}

    /**
     * @param in      input values, shape [batch, groups * inPerGroup, g.input...]
     * @param weights weights, shape [groups * outPerGroup, inPerGroup, g.kernel...]
     * @return output values, shape [batch, groups * outPerGroup, g.output...]
     */
    static double[] convolve(double[] in, double[] weights, int batch, int groups, int inPerGroup, int outPerGroup,
            ConvGeometry g) {
        int inVolume = g.inputVolume();
        int outVolume = g.outputVolume();
        int kVolume = g.kernelVolume();
        int inChannels = groups * inPerGroup;
        int outChannels = groups * outPerGroup;
        double[] out = new double[batch * outChannels * outVolume];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int group = oc / outPerGroup;
                int outBase = (n * outChannels + oc) * outVolume;
                for (int ic = 0; ic < inPerGroup; ic++) {
                    int inBase = (n * inChannels + group * inPerGroup + ic) * inVolume;
                    int wBase = (oc * inPerGroup + ic) * kVolume;
                    for (int kd = 0; kd < g.kernel[0]; kd++) {
                        for (int kh = 0; kh < g.kernel[1]; kh++) {
                            for (int kw = 0; kw < g.kernel[2]; kw++) {
                                double w = weights[wBase + (kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                                addTap(in, inBase, out, outBase, w, kd, kh, kw, g);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** out[o] += w * in[o * stride - pad + tap * dilation] for every output position o reading a real input. */
    private static void addTap(double[] in, int inBase, double[] out, int outBase, double w, int kd, int kh, int kw,
            ConvGeometry g) {
        int d1 = g.endValid(0, kd, g.input[0], g.output[0]);
        int h1 = g.endValid(1, kh, g.input[1], g.output[1]);
        int w0 = g.firstValid(2, kw);
        int w1 = g.endValid(2, kw, g.input[2], g.output[2]);
        int sw = g.stride[2];
        int iwOffset = kw * g.dilation[2] - g.padBegin[2];
        for (int od = g.firstValid(0, kd); od < d1; od++) {
            int id = od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
            for (int oh = g.firstValid(1, kh); oh < h1; oh++) {
                int ih = oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                int inRow = inBase + (id * g.input[1] + ih) * g.input[2] + iwOffset;
                int outRow = outBase + (od * g.output[1] + oh) * g.output[2];
                for (int ow = w0; ow < w1; ow++) {
                    out[outRow + ow] += w * in[inRow + ow * sw];
                }
            }
        }
    }
}

package dev.lowbit.reference;

/**
 * The forward convolution loop nest shared by Convolution and GroupConvolution: NC[D]HW input, weights laid
 * out as [groups * outPerGroup, inPerGroup, kD, kH, kW] (GroupConvolution's [G, O/G, I/G, ...] flattens to
 * exactly that). Each output is one dot product accumulated in double; every product of two f32 values is
 * exact in double, so the result hardly depends on summation order. Stateless, thread-safe.
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
        int o = 0;
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int group = oc / outPerGroup;
                int wBase = oc * inPerGroup * kVolume;
                int inBase = (n * inChannels + group * inPerGroup) * inVolume;
                for (int od = 0; od < g.output[0]; od++) {
                    for (int oh = 0; oh < g.output[1]; oh++) {
                        for (int ow = 0; ow < g.output[2]; ow++) {
                            out[o++] = dot(in, inBase, weights, wBase, inPerGroup, od, oh, ow, g);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** One output element: the window anchored at (od, oh, ow) against one output channel's weights. */
    private static double dot(double[] in, int inBase, double[] w, int wBase, int inPerGroup, int od, int oh, int ow,
            ConvGeometry g) {
        int inVolume = g.inputVolume();
        int kVolume = g.kernelVolume();
        double sum = 0;
        for (int ic = 0; ic < inPerGroup; ic++) {
            int inChannel = inBase + ic * inVolume;
            int wChannel = wBase + ic * kVolume;
            for (int kd = 0; kd < g.kernel[0]; kd++) {
                int id = od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
                if (id < 0 || id >= g.input[0]) {
                    continue;
                }
                for (int kh = 0; kh < g.kernel[1]; kh++) {
                    int ih = oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                    if (ih < 0 || ih >= g.input[1]) {
                        continue;
                    }
                    int inRow = inChannel + (id * g.input[1] + ih) * g.input[2];
                    int wRow = wChannel + (kd * g.kernel[1] + kh) * g.kernel[2];
                    for (int kw = 0; kw < g.kernel[2]; kw++) {
                        int iw = ow * g.stride[2] - g.padBegin[2] + kw * g.dilation[2];
                        if (iw >= 0 && iw < g.input[2]) {
                            sum += in[inRow + iw] * w[wRow + kw];
                        }
                    }
                }
            }
        }
        return sum;
    }
}

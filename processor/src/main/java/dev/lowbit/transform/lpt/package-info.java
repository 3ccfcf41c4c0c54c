/**
 * Low-precision transformations at build time: the FakeQuantize-annotated IR becomes a {@link
 * dev.lowbit.transform.lpt.LoweredModel}, a list of kernel steps over the original graph's values, in the
 * spirit of OpenVINO's LPT (one class per rewrite, each answering "can this node be transformed" and "what
 * replaces it"), run in order by {@link dev.lowbit.transform.lpt.LowPrecisionPipeline}.
 *
 * <h2>Representation (what a code generator consumes)</h2>
 * <ul>
 *   <li>A quantized value holds u8 <em>level indices</em> {@code q in [0, levels-1]} of a {@link
 *       dev.lowbit.transform.lpt.QuantGrid} (per tensor or per channel on axis 1). Dequantization is the IR's
 *       own formula {@code q/(levels-1)*(oh-ol)+ol}, so nothing of the IR (f16-rounded ranges, zero points like
 *       128.007) is rounded away; an i8 kernel input is {@code q - 128}.</li>
 *   <li>{@link dev.lowbit.transform.lpt.QuantizedLinear}: one int8 Convolution / GroupConvolution / MatMul call
 *       with int8 weights (OIHW, [G*O, I/G, kh, kw] or [N, K]), per-output-channel multipliers
 *       {@code s_x * s_w[oc]}, compensation {@code z_x * sum(w[oc])} (f32, so a fractional zero point is exact),
 *       the border term for padding, bias, a fused ReLU flag and the requantization grid of the next
 *       FakeQuantize (or fp32 output). Inputs whose channels carry different grids (a Concat of differently
 *       quantized branches, a per-channel grid before a depthwise convolution) are accumulated per run of
 *       channels: exact, where requantizing to a common grid would not be.</li>
 *   <li>{@link dev.lowbit.transform.lpt.QuantizeStep}: a FakeQuantize that could not be fused into a producer.</li>
 *   <li>{@link dev.lowbit.transform.lpt.PreservedStep}: MaxPool, ReLU, Reshape, Squeeze, Unsqueeze, Transpose,
 *       Concat executed on levels.</li>
 *   <li>{@link dev.lowbit.transform.lpt.QuantizedAddStep}: a residual Add of two quantized tensors fused with the
 *       FakeQuantize after it, u8 in and out, each input dequantized with its own grid (exact).</li>
 *   <li>{@link dev.lowbit.transform.lpt.Fp32Step}: everything else in fp32 with the reference semantics on
 *       dequantized inputs (PReLU, Sigmoid, SoftMax, ReduceMean, DetectionOutput, element-wise Add of two
 *       quantized tensors, and patterns that cannot be lowered exactly, which carry a note).</li>
 * </ul>
 * {@link dev.lowbit.transform.lpt.Int8Simulator} executes this representation with the kernels' integer and
 * epilogue arithmetic; tests compare it with the oracle on the real models.
 */
package dev.lowbit.transform.lpt;

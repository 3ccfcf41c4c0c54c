package dev.lowbit.models;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.GraphBuilder;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.nio.file.Path;

/**
 * The trained {@link FashionCnn} as an fp32 IR graph, laid out as OpenVINO's model converter would emit
 * the same network: Convolution + Add(bias) + ReLU + MaxPool twice, Reshape to [1,1568], MatMul
 * (transpose_b) + Add + ReLU, MatMul + Add, SoftMax. Input "input" [1,1,28,28] f32 = pixel / 255 (no
 * normalization inside); output "probabilities" [1,10]. Stateless, thread-safe.
 */
public final class FashionCnnGraph {
    public static final String INPUT = "input";
    public static final String OUTPUT = "probabilities";

    private FashionCnnGraph() {}

    public static Graph of(FashionCnn m, String name, Path xml) {
        GraphBuilder b = new GraphBuilder(name, xml);
        int[] one = {1, 1};
        int[] two = {2, 2};
        int[] zero = {0, 0};
        ValueRef x = b.parameter(INPUT, ElementType.F32, 1, 1, FashionCnn.SIDE, FashionCnn.SIDE);
        x = b.convolution("conv1", x, b.constant("conv1/weights", f32(m.w1, FashionCnn.C1, 1, 3, 3)), one, one, one, one);
        x = b.add("conv1/bias", x, b.constant("conv1/bias/value", f32(m.b1, 1, FashionCnn.C1, 1, 1)));
        x = b.relu("conv1/relu", x);
        x = b.maxPool("pool1", x, two, two, zero, zero);
        x = b.convolution("conv2", x, b.constant("conv2/weights", f32(m.w2, FashionCnn.C2, FashionCnn.C1, 3, 3)),
                one, one, one, one);
        x = b.add("conv2/bias", x, b.constant("conv2/bias/value", f32(m.b2, 1, FashionCnn.C2, 1, 1)));
        x = b.relu("conv2/relu", x);
        x = b.maxPool("pool2", x, two, two, zero, zero);
        x = b.reshape("flatten", x, 1, FashionCnn.FLAT);
        x = b.matMul("fc1", x, b.constant("fc1/weights", f32(m.w3, FashionCnn.HIDDEN, FashionCnn.FLAT)), false, true);
        x = b.add("fc1/bias", x, b.constant("fc1/bias/value", f32(m.b3, 1, FashionCnn.HIDDEN)));
        x = b.relu("fc1/relu", x);
        x = b.matMul("fc2", x, b.constant("fc2/weights", f32(m.w4, FashionCnn.CLASSES, FashionCnn.HIDDEN)), false, true);
        x = b.add("fc2/bias", x, b.constant("fc2/bias/value", f32(m.b4, 1, FashionCnn.CLASSES)));
        x = b.softMax(OUTPUT, x, 1);
        b.result(OUTPUT + "/sink_port_0", x);
        return b.build();
    }

    private static Tensor f32(float[] values, int... shape) {
        return Tensor.f32(shape, values);
    }
}

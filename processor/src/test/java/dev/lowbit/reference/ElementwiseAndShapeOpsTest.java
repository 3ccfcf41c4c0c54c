package dev.lowbit.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ElementwiseAndShapeOpsTest {
    @Test
    void registersEveryOpUnderTheIrNamesAndTheirOpenVinoSpellings() {
        for (String type : List.of("Convert", "Add", "Subtract", "Multiply", "Divide", "ReLU", "Relu", "PReLU", "PRelu",
                "Clamp", "Sigmoid", "SoftMax", "Softmax", "ReduceMean", "Reshape", "Squeeze", "Unsqueeze", "Transpose",
                "Concat", "ShapeOf", "Gather", "StridedSlice", "Range", "FakeQuantize")) {
            assertTrue(OpRegistry.supports(type), type);
        }
    }
}

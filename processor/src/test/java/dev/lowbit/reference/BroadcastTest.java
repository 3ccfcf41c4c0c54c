package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class BroadcastTest {
    private static final Node ADD = op("Add").node();

    @Test
    void alignsShapesAtTheRightAndStretchesOnes() {
        assertArrayEquals(shape(2, 3, 4), Broadcast.numpy(ADD, shape(2, 3, 4), shape(3, 1)));
        assertArrayEquals(shape(2, 3), Broadcast.numpy(ADD, shape(2, 1), shape(1, 3)));
        assertArrayEquals(shape(1, 8, 5, 5), Broadcast.numpy(ADD, shape(1, 8, 5, 5), shape(1, 8, 1, 1)));
    }

    @Test
    void aScalarBroadcastsToAnything() {
        assertArrayEquals(shape(2, 2), Broadcast.numpy(ADD, shape(), shape(2, 2)));
        assertArrayEquals(shape(), Broadcast.numpy(ADD, shape(), shape()));
    }

    @Test
    void oneStretchesToZeroButTwoAndThreeDoNotMeet() {
        assertArrayEquals(shape(0, 3), Broadcast.numpy(ADD, shape(0, 1), shape(1, 3)));
        assertThrows(IrException.class, () -> Broadcast.numpy(ADD, shape(2), shape(3)));
    }

    @Test
    void stridesAreZeroWhereAnOperandIsStretched() {
        // [3,1] read while walking [2,3,4]: the missing leading axis and the 1 stride 0, the 3 strides 1
        assertArrayEquals(shape(0, 1, 0), Broadcast.strides(shape(3, 1), shape(2, 3, 4)));
        assertArrayEquals(shape(12, 4, 1), Broadcast.strides(shape(2, 3, 4), shape(2, 3, 4)));
    }
}

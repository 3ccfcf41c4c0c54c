package dev.lowbit.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every op the reference evaluator knows declares its input count, and the evaluator refuses one input too few or
 * too many before the op sees them, with the layer named (the same count {@code DeclaredShapes} checks at build
 * time).
 */
class InputArityTest {
    @Test
    void everyRegisteredOpRefusesOneInputTooFewAndOneTooMany() {
        assertTrue(OpRegistry.supportedTypes().size() >= 30, OpRegistry.supportedTypes().toString());
        for (String type : OpRegistry.supportedTypes()) {
            InputArity arity = OpRegistry.forNode(TestNodes.op(type).node()).arity();
            assertTrue(arity.min() >= 1 && arity.min() <= arity.max(), type + ": " + arity);
            for (int count : new int[] {arity.min() - 1, arity.max() + 1}) {
                if (count < 0 || arity.max() == Integer.MAX_VALUE && count > arity.min()) {
                    continue;
                }
                Tensor[] inputs = new Tensor[count];
                Arrays.fill(inputs, TestNodes.scalarF32(1));
                IrException e = assertThrows(IrException.class,
                        () -> ReferenceEvaluator.evaluate(TestNodes.op(type).node(inputs), inputs), type);
                assertTrue(e.getMessage().contains("name='layer_under_test'")
                        && e.getMessage().contains("inputs, got " + count), e.getMessage());
            }
        }
    }

    @Test
    void theMessageSaysWhatCountsAreAllowed() {
        IrException e = assertThrows(IrException.class, () -> InputArity.atLeast(1).check(TestNodes.op("Concat").node(), 0));
        assertTrue(e.getMessage().endsWith("expects at least 1 inputs, got 0"), e.getMessage());
        e = assertThrows(IrException.class, () -> InputArity.between(3, 4).check(TestNodes.op("StridedSlice").node(), 5));
        assertTrue(e.getMessage().endsWith("expects 3 to 4 inputs, got 5"), e.getMessage());
        Tensor[] withHole = {TestNodes.scalarF32(1), null};
        e = assertThrows(IrException.class, () -> InputArity.exactly(2).check(TestNodes.op("Add").node(), withHole));
        assertTrue(e.getMessage().endsWith("input 1 has no value"), e.getMessage());
        assertEquals(new InputArity(2, 2), InputArity.exactly(2));
    }
}

package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Attributes;
import dev.lowbit.ir.IrException;

/**
 * DetectionOutput as a runtime call with every attribute baked in: a per-instance
 * {@code DetectionOutput} (it owns its scratch) built in the constructor, run with the three inputs.
 */
final class DetectionOutputEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "DetectionOutput");

    @Override
    public void check(Node n, Graph g) {
        Attributes a = n.attributes();
        if (n.inputs().size() != 3) {
            throw new IrException(n, n.inputs().size() + " inputs (ARM-style refinement) are not supported; 3 only");
        }
        if (!a.bool("share_location", true)) {
            throw new IrException(n, "share_location=false is not supported");
        }
        String code = a.string("code_type", "caffe.PriorBoxParameter.CORNER");
        if (!code.endsWith("CENTER_SIZE") && !code.endsWith("CORNER")) {
            throw new IrException(n, "code_type '" + code + "' is not supported (CENTER_SIZE and CORNER are)");
        }
        if (a.bool("decrease_label_id", false)) {
            throw new IrException(n, "decrease_label_id=true (MXNet-style NMS) is not supported");
        }
        int[] priors = g.port(n.input(2)).shape();
        int rows = a.bool("variance_encoded_in_target", false) ? 1 : 2;
        if (priors.length != 3 || priors[1] != rows) {
            throw new IrException(n, "priors " + java.util.Arrays.toString(priors) + " must be [1 or N, " + rows
                    + ", ...] (variance_encoded_in_target=" + (rows == 1) + ")");
        }
        if (a.doubleValue("objectness_score", 0) != 0) {
            throw new IrException(n, "objectness_score is not supported");
        }
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        Attributes a = n.attributes();
        int[] loc = c.inShape(0);
        int[] conf = c.inShape(1);
        int[] priors = c.inShape(2);
        int batch = loc[0];
        int numPriors = Dims.size(loc) / batch / 4;
        int classes = a.has("num_classes") ? a.intValue("num_classes") : Dims.size(conf) / batch / numPriors;
        int[] keepTopK = a.ints("keep_top_k");
        CodeBlock attrs = CodeBlock.of("new $T.Attributes($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", KERNEL,
                classes, a.intValue("background_label_id", 0), a.intValue("top_k", -1), keepTopK[0],
                Dims.floatLiteral(a.doubleValue("nms_threshold")), Dims.floatLiteral(a.doubleValue("confidence_threshold", 0)),
                a.string("code_type", "").endsWith("CENTER_SIZE"), a.bool("variance_encoded_in_target", false),
                a.bool("normalized", false), a.bool("clip_before_nms", false), a.bool("clip_after_nms", false),
                a.intValue("input_width", 1), a.intValue("input_height", 1));
        CodeBlock det = c.instanceField(KERNEL, "detection",
                CodeBlock.of("new $T($L, $L, $L, $L, $L)", KERNEL, attrs, batch, numPriors, priors[1], priors[0]));
        c.report("DetectionOutput.run", 0);
        return CodeBlock.of("$L.run($L, $L, $L, $L, $L);\n", det, c.in(0), c.in(1), c.in(2), c.out(0),
                Dims.size(c.outShape(0)) / 7);
    }
}

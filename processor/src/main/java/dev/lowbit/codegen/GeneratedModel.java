package dev.lowbit.codegen;

import com.palantir.javapoet.JavaFile;
import java.util.List;

/**
 * The output of code generation for one model: the source file, the weights blob to write next to the class
 * (named {@code weightsResource}), and one report entry per kernel call. Immutable apart from the blob bytes,
 * which callers must not change; thread-safe under that contract.
 */
public record GeneratedModel(JavaFile javaFile, String weightsResource, byte[] weights, List<LayerReport> layers) {}

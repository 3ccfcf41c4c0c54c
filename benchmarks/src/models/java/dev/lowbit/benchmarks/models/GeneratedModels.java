package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.TensorSpec;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The generated classes of the four models the ONNX Runtime comparison covers, by model folder, for the benchmarks
 * that build instances with an {@link ExecutionConfig} ({@link PairedThreads}, {@link ThreadedModels}).
 * {@link PairedModels} calls each class's typed method instead, so it names the classes itself. Any generated class
 * of this package by name, with random-level inputs, for the tools run by hand ({@link LayerProfiles},
 * {@link ManyModelsAllocation}). Stateless, thread-safe.
 */
final class GeneratedModels {
    private GeneratedModels() {
    }

    /** The INT8 IR's class (its FP16-INT8 folder). */
    static Function<ExecutionConfig, InferenceModel> int8(String model) {
        return switch (model) {
            case "face-detection-retail-0004" -> FaceDetectionRetail0004Fp16Int8Model::new;
            case "vehicle-attributes-recognition-barrier-0039" -> VehicleAttributesRecognitionBarrier0039Fp16Int8Model::new;
            case "head-pose-estimation-adas-0001" -> HeadPoseEstimationAdas0001Fp16Int8Model::new;
            case "landmarks-regression-retail-0009" -> LandmarksRegressionRetail0009Fp16Int8Model::new;
            default -> throw new IllegalArgumentException("no generated INT8 class for model '" + model + "'");
        };
    }

    /** The float IR's class (FP32, or FP16 where the model ships no FP32 folder). */
    static Function<ExecutionConfig, InferenceModel> f32(String model) {
        return switch (model) {
            case "face-detection-retail-0004" -> FaceDetectionRetail0004Fp32Model::new;
            case "vehicle-attributes-recognition-barrier-0039" -> VehicleAttributesRecognitionBarrier0039Fp32Model::new;
            case "head-pose-estimation-adas-0001" -> HeadPoseEstimationAdas0001Fp16Model::new;
            case "landmarks-regression-retail-0009" -> LandmarksRegressionRetail0009Fp32Model::new;
            default -> throw new IllegalArgumentException("no generated float class for model '" + model + "'");
        };
    }

    /** A new instance of this package's generated class {@code name + "Model"} (name as the annotated interface). */
    static InferenceModel byName(String name) throws ReflectiveOperationException {
        return (InferenceModel) Class.forName(GeneratedModels.class.getPackageName() + "." + name + "Model")
                .getConstructor().newInstance();
    }

    /** The model's first input filled with random levels 0..255 (seed 3), by input name. */
    static Map<String, float[]> randomLevels(InferenceModel model) {
        TensorSpec input = model.inputs().get(0);
        float[] x = new float[input.size()];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(256);
        }
        return Map.of(input.name(), x);
    }
}

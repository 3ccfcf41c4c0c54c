package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferenceModel;
import java.util.function.Function;

/**
 * The generated classes of the four models the ONNX Runtime comparison covers, by model folder, for the benchmarks
 * that build instances with an {@link ExecutionConfig} ({@link PairedThreads}, {@link ThreadedModels}).
 * {@link PairedModels} calls each class's typed method instead, so it names the classes itself.
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
}

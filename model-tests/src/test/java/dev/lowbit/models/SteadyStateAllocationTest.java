package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6: once C2 has compiled a model, {@code infer()} allocates only what it returns. A vector or mask the JIT
 * cannot keep in registers is a heap object per use, so a kernel that boxes shows up here as kilobytes per
 * inference (the stride-2 phase planes' masks did: 29 KB per head-pose FP16 inference, 25-200 KB per vehicle
 * FP32 one) while its unit tests, which run it alone, allocate nothing: whether C2 boxes depends on the whole
 * model's code around the kernel. The float and INT8 variants of the four models of the ONNX Runtime comparison
 * (face detection with its DetectionOutput, whose 200 x 7 output is part of what it returns), each measured in a JVM
 * of its own ({@link AllocationProbe}). Several models in one JVM could leave int8 kernels allocating (the eight
 * variants here, one after the other, did on 2026-12-04: head-pose FP16-INT8 8,016 and vehicle FP16-INT8 138,544
 * bytes per inference) because C2 typed their vectors through profiles the models share; the second test runs the
 * INT8 variants with no profile-based types at all, which made that state deterministic. The third runs them, and the
 * INT8 variants of the other shared models, so with every compile in the foreground ({@code -Xbatch}): face-detection
 * INT8 allocated 1.73 MB per inference there in every run before its max pool's loads were cast to their exact
 * class, a state the second test met only in some runs (3 of the 14 face-detection probes of its seven runs on
 * 2026-12-05, none of 54 probes launched by hand), because it depends on which methods C2 has compiled when it
 * compiles the pool. The second test therefore still reports a first result over the bound and measures once more in
 * a fresh JVM (see {@code assertAllocatesOnlyOutputs}). Over the bound, the probe prints where the warm model
 * allocates ({@link AllocationSites}).
 */
class SteadyStateAllocationTest {
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "head-pose-estimation-adas-0001, FP16",
        "head-pose-estimation-adas-0001, FP16-INT8",
        "vehicle-attributes-recognition-barrier-0039, FP32",
        "vehicle-attributes-recognition-barrier-0039, FP16-INT8",
        "landmarks-regression-retail-0009, FP32",
        "landmarks-regression-retail-0009, FP16-INT8",
        "face-detection-retail-0004, FP32",
        "face-detection-retail-0004, FP16-INT8",
    })
    void inferAllocatesOnlyItsOutputsOnceCompiled(String folder, String precision) throws Exception {
        assertAllocatesOnlyOutputs(folder, precision, false);
    }

    /**
     * The state other models leave behind, made deterministic: without type speculation C2 binds a call on a vector
     * only where the vector's exact class is known from the code, not from a profile (shared by every model in the
     * JVM). Before the kernels cast conversions to their species' exact class, vehicle FP16-INT8 allocated 34 MB per
     * inference here (docs/performance.md, "Exact vector classes").
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("int8Variants")
    void inferAllocatesOnlyItsOutputsWithoutTypeProfiles(String folder, String precision) throws Exception {
        assertAllocatesOnlyOutputs(folder, precision, true, "-XX:-UseTypeSpeculation");
    }

    /**
     * The same without profile-based types, each method compiled before the thread goes on ({@code -Xbatch}): the
     * compile order is then the same in every run, and a load whose class C2 learned only from the Vector API's shared
     * profiles boxes in every run instead of in some (the face-detection max pool's did; docs/performance.md, "A
     * load's exact class"). Deterministic and quick, so it also takes the INT8 models outside the ONNX Runtime
     * comparison.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("everyInt8Variant")
    void inferAllocatesOnlyItsOutputsWithoutTypeProfilesCompiledInTheForeground(String folder, String precision)
            throws Exception {
        assertAllocatesOnlyOutputs(folder, precision, false, "-XX:-UseTypeSpeculation", "-Xbatch");
    }

    /** The INT8 variants of the tests without profile-based types: each shared model's, all three encodings. */
    static Stream<Arguments> int8Variants() {
        return Stream.of(
                Arguments.of("head-pose-estimation-adas-0001", "FP16-INT8"),
                Arguments.of("vehicle-attributes-recognition-barrier-0039", "FP16-INT8"),
                Arguments.of("landmarks-regression-retail-0009", "FP16-INT8"),
                Arguments.of("landmarks-regression-retail-0009_omz2021.2", "FP16-INT8"),
                Arguments.of("landmarks-regression-retail-0009_omz2021.3", "FP16-INT8"),
                Arguments.of("face-detection-retail-0004", "FP16-INT8"),
                Arguments.of("face-detection-retail-0004_omz2021.2", "FP16-INT8"));
    }

    /** {@link #int8Variants} and the INT8 variants of the other shared models. */
    static Stream<Arguments> everyInt8Variant() {
        return Stream.concat(int8Variants(), Stream.of(
                Arguments.of("face-detection-adas-0001", "FP16-INT8"),
                Arguments.of("person-detection-retail-0013", "FP16-INT8"),
                Arguments.of("text-image-super-resolution-0001", "FP16-INT8")));
    }

    /**
     * @param secondJvm whether a first result over the bound is reported and measured once more in a fresh JVM (the
     *                  compile-timing state below; only the test without type speculation has seen it)
     */
    private static void assertAllocatesOnlyOutputs(String folder, String precision, boolean secondJvm,
            String... jvmFlags) throws Exception {
        assumeTrue(SharedModelVariants.present(), SharedModelVariants::skipReason);
        String flags = jvmFlags.length == 0 ? "" : " (" + String.join(" ", jvmFlags) + ")";
        Probe result = probe(folder, precision, jvmFlags);
        String firstNote = "";
        if (!result.withinBound() && secondJvm) {
            // Without type speculation, whether a kernel boxes can depend on C2's compile timing: face-detection
            // INT8 stayed at 1,726,144 bytes per inference in 3 of 14 probes here on 2026-12-05 until its max pool's
            // loads were cast (the third test now makes that state deterministic). A state of that kind is reported,
            // with its allocation sites, and the measurement repeated once in a fresh JVM; a kernel that boxes in
            // every compile fails both.
            firstNote = " (first JVM: " + result.least() + " bytes)";
            System.out.println("ALLOCATION STATE " + folder + "/" + precision + flags + ": the first probe JVM allocated "
                    + result.least() + " bytes per warm inference, outputs " + result.outputBytes()
                    + "; measuring in a second JVM\n" + result.sites());
            result = probe(folder, precision, jvmFlags);
        }
        assertTrue(result.withinBound(), folder + "/" + precision + flags + ": a warm inference allocated "
                + result.least() + " bytes" + firstNote + ", its outputs " + result.outputBytes() + " (+"
                + AllocationProbe.SLACK_BYTES + " for the map): a kernel boxes vectors or masks in the compiled model:\n"
                + result.sites());
    }

    /**
     * What one probe JVM measured: the fewest bytes a warm inference allocated, its outputs' bytes, and over the bound
     * where it allocated (the probe's ALLOCATION SITE lines).
     */
    private record Probe(long least, long outputBytes, String sites) {
        boolean withinBound() {
            return least <= outputBytes + AllocationProbe.SLACK_BYTES;
        }
    }

    /** One probe JVM ({@link AllocationProbe}). */
    private static Probe probe(String folder, String precision, String... jvmFlags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xss8m"));
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        String shared = System.getProperty("lowbit.shared");
        if (shared != null) {
            command.add("-Dlowbit.shared=" + shared);
        }
        command.addAll(List.of(AllocationProbe.class.getName(), folder, precision));
        Path log = Files.createTempFile("allocation-probe", ".txt");
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = probe.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            probe.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.delete(log);
        assertTrue(ended && probe.exitValue() == 0, folder + "/" + precision + ": the probe JVM "
                + (ended ? "failed" : "ran past 5 minutes") + ":\n" + output);
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError(folder + "/" + precision + ": no RESULT from the probe:\n" + output));
        String[] f = result.split(" ", 4);
        String sites = output.lines().filter(l -> l.startsWith("ALLOCATION SITE")).collect(Collectors.joining("\n"));
        return new Probe(Long.parseLong(f[1]), Long.parseLong(f[2]), sites);
    }
}

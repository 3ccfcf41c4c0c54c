package dev.lowbit.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a warm model allocates: a JFR recording of the TLAB refills (and allocations outside a TLAB) during a few
 * inferences, summed by allocated class and the top frames of the stack that allocated. Started only once a probe
 * has ended over its bound, so that recording cannot change the compile timing that led there (the 1.73 MB state of
 * {@link SteadyStateAllocationTest} was never caught by a recording started with the JVM).
 */
final class AllocationSites {
    private static final int FRAMES = 4;
    private static final int SITES = 8;

    private AllocationSites() {
    }

    /** Lines {@code ALLOCATION SITE <bytes> <class> <- <frames>}, largest first; a line saying so when none. */
    static List<String> during(Runnable inference, int inferences) throws Exception {
        Path file = Files.createTempFile("allocation-sites", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.start();
            for (int i = 0; i < inferences; i++) {
                inference.run();
            }
            recording.stop();
            recording.dump(file);
            return summary(RecordingFile.readAllEvents(file), inferences);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static List<String> summary(List<RecordedEvent> events, int inferences) {
        Map<String, Long> bytesBySite = new LinkedHashMap<>();
        for (RecordedEvent event : events) {
            // A TLAB refill stands for the TLAB's bytes, most of them allocated at the same few sites.
            long bytes = event.hasField("tlabSize") ? event.getLong("tlabSize") : event.getLong("allocationSize");
            bytesBySite.merge(site(event), bytes, Long::sum);
        }
        List<String> lines = new ArrayList<>();
        bytesBySite.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(SITES)
                .forEach(e -> lines.add("ALLOCATION SITE " + e.getValue() / inferences + " bytes per inference "
                        + e.getKey()));
        if (lines.isEmpty()) {
            lines.add("ALLOCATION SITE none recorded in " + inferences + " inferences");
        }
        return lines;
    }

    private static String site(RecordedEvent event) {
        String type = event.getClass("objectClass").getName();
        if (event.getStackTrace() == null) {
            return type + " <- (no stack)";
        }
        List<RecordedFrame> frames = event.getStackTrace().getFrames();
        return type + " <- " + frames.stream().limit(FRAMES)
                .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber()
                        + " (" + f.getType() + ")")
                .collect(Collectors.joining(" <- "));
    }
}

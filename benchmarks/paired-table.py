#!/usr/bin/env python3
"""Tables of PairedModels (lowbit and ONNX Runtime timed in turn in one JVM) and PairedThreads (one thread and
the LATENCY hint on two, in turn) from a JMH JSON result file.

Usage: python3 benchmarks/paired-table.py result.json

Every measurement iteration of every fork gives each contender's total nanoseconds over the same number of
inferences, so a ratio per iteration compares runs of the same second. Printed: the mean time per inference
(median over iterations, with p25-p75), and the ratios the issue-6 targets name, as median (p25-p75) over
iterations. "ORT fastest" is, per iteration, the fastest of the model's ONNX files. Face detection: lowbit's
time minus its DetectionOutput layer (timed in the same iteration), which the ONNX cut does not contain.
"""
import json
import sys


def quantiles(values):
    v = sorted(values)

    def q(p):
        i = p * (len(v) - 1)
        lo = int(i)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (i - lo)

    return q(0.5), q(0.25), q(0.75)


def fmt(values, digits=3):
    m, lo, hi = quantiles(values)
    return f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def iterations(bench):
    """Per measurement iteration (all forks): {counter: nanoseconds per inference}."""
    sec = bench["secondaryMetrics"]
    counts = [x for fork in sec["inferences"]["rawData"] for x in fork]
    out = []
    for i, n in enumerate(counts):
        row = {}
        for name, metric in sec.items():
            if name == "inferences":
                continue
            flat = [x for fork in metric["rawData"] for x in fork]
            row[name] = flat[i] / n
        out.append(row)
    return out


def main(path):
    results = json.load(open(path))
    models_table([b for b in results if b["benchmark"].endswith("PairedModels.inTurn")])
    threads_table([b for b in results if b["benchmark"].endswith("PairedThreads.inTurn")])


def threads_table(data):
    """PairedThreads: per iteration, 1-thread time / LATENCY-2-threads time (above 1: LATENCY is faster)."""
    if not data:
        return
    print("| model | int8 1 thread ms | int8 LATENCY 2 ms | int8 speed-up | f32 1 thread ms | f32 LATENCY 2 ms | "
          "f32 speed-up | iterations |")
    print("|---|---|---|---|---|---|---|---|")
    for b in data:
        rows = iterations(b)

        def ms(key):
            return fmt([r[key] / 1e6 for r in rows])

        print(f"| {b['params']['model']} | {ms('int8OneNanos')} | {ms('int8TwoNanos')} | "
              f"{fmt([r['int8OneNanos'] / r['int8TwoNanos'] for r in rows], 2)} | {ms('f32OneNanos')} | "
              f"{ms('f32TwoNanos')} | {fmt([r['f32OneNanos'] / r['f32TwoNanos'] for r in rows], 2)} | {len(rows)} |")
    print()


def models_table(data):
    if not data:
        return
    print("| model | lowbit int8 ms | lowbit f32 ms | ORT float file ms | ORT FP16-INT8 ms | ORT nudged ms | "
          "int8 / ORT fastest | f32 / ORT float | int8 / lowbit f32 | iterations |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for b in data:
        model = b["params"]["model"]
        rows = iterations(b)
        for r in rows:
            # the ONNX cut of face detection stops before DetectionOutput; lowbit's time loses that layer too
            r["int8"] = r["lowbitInt8Nanos"] - r["tailNanos"]
            r["f32"] = r["lowbitF32Nanos"] - r["tailNanos"]
            ort = [r["ortFloatNanos"], r["ortInt8Nanos"]] + ([r["ortNudgedNanos"]] if r["ortNudgedNanos"] > 0 else [])
            r["ortFastest"] = min(ort)

        def ms(key):
            return fmt([r[key] / 1e6 for r in rows])

        nudged = ms("ortNudgedNanos") if rows[0]["ortNudgedNanos"] > 0 else "-"
        print(f"| {model} | {ms('int8')} | {ms('f32')} | {ms('ortFloatNanos')} | {ms('ortInt8Nanos')} | {nudged} | "
              f"{fmt([r['int8'] / r['ortFastest'] for r in rows], 2)} | "
              f"{fmt([r['f32'] / r['ortFloatNanos'] for r in rows], 2)} | "
              f"{fmt([r['int8'] / r['f32'] for r in rows], 2)} | {len(rows)} |")
    print()
    print("Times per inference: median (p25-p75) over measurement iterations of all forks; face-detection lowbit "
          "times exclude DetectionOutput (tail median "
          + ", ".join(fmt([r["tailNanos"] / 1e6 for r in iterations(b)]) + " ms"
                      for b in data if b["params"]["model"].startswith("face"))
          + ").")


if __name__ == "__main__":
    main(sys.argv[1])

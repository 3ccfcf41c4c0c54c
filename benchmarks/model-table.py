#!/usr/bin/env python3
"""Turns the JSON of a LowbitModels/OrtModels JMH run (-rf json, SampleTime, -prof gc) into the markdown tables of
docs/performance.md: median and interquartile range per benchmark, allocation per inference, and the ratios of
median latency against ONNX Runtime's fastest variant of each model in the same run.

usage: python3 benchmarks/model-table.py run.json
"""
import json
import sys

from jmh_json import summary

MODELS = ["landmarks-regression-retail-0009", "head-pose-estimation-adas-0001",
          "face-detection-retail-0004", "vehicle-attributes-recognition-barrier-0039"]


def main(path):
    rows = {}
    for b in json.load(open(path)):
        if b["benchmark"].split(".")[-2] not in ("LowbitModels", "OrtModels", "FaceDetectionTail"):
            continue  # other benchmarks of the same run (Int8VsFp32Models: int8-table.py)
        if "params" not in b:  # FaceDetectionTail: printed separately
            r = summary(b)
            print("%s: median %.3f ms, IQR %.3f-%.3f ms, %s B/op" % (b["benchmark"], r["median"] / 1e3,
                  r["p25"] / 1e3, r["p75"] / 1e3, r["alloc"]))
            continue
        who = "lowbit" if b["benchmark"].endswith("LowbitModels.infer") else "ORT"
        p = b["params"]
        threads = int(p.get("threads", 1))
        rows[(who, p["variant"], threads)] = summary(b)

    print("| model | runtime, variant | threads | median ms | IQR ms (p25-p75) | samples | alloc B/inference |")
    print("|---|---|---|---|---|---|---|")
    for m in MODELS:
        for (who, v, t), r in sorted(rows.items(), key=lambda kv: (kv[0][0] != "lowbit", kv[0][2], kv[0][1])):
            if v.startswith(m + "/"):
                alloc = "-" if r["alloc"] is None else "%.0f" % r["alloc"]
                print("| %s | %s %s | %d | %.3f | %.3f-%.3f | %d | %s |" % (
                    m, who, v[len(m) + 1:], t, r["median"] / 1e3, r["p25"] / 1e3, r["p75"] / 1e3, r["n"], alloc))
    print()
    print("| model | ORT fastest, 1 thread (ms) | ORT fastest, 2 threads (ms) | lowbit variant | lowbit / ORT fastest 1T "
          "(median; p25, p75 ratios) | lowbit / ORT fastest 2T |")
    print("|---|---|---|---|---|---|")
    for m in MODELS:
        best = {}
        for t in (1, 2):
            cands = [(r["median"], v) for (who, v, th), r in rows.items() if who == "ORT" and th == t and v.startswith(m + "/")]
            if cands:
                best[t] = min(cands)
        for (who, v, t), r in sorted(rows.items()):
            if who != "lowbit" or not v.startswith(m + "/"):
                continue
            cells = []
            for th in (1, 2):
                if th in best:
                    bm, bv = best[th]
                    ort = rows[("ORT", bv, th)]
                    cells.append("%.1fx (%.1f, %.1f)" % (r["median"] / bm, r["p25"] / ort["p25"], r["p75"] / ort["p75"]))
                else:
                    cells.append("-")
            b1 = "%s %.3f" % (best[1][1][len(m) + 1:], best[1][0] / 1e3) if 1 in best else "-"
            b2 = "%s %.3f" % (best[2][1][len(m) + 1:], best[2][0] / 1e3) if 2 in best else "-"
            print("| %s | %s | %s | %s | %s | %s |" % (m, b1, b2, v[len(m) + 1:], cells[0], cells[1]))


if __name__ == "__main__":
    main(sys.argv[1])

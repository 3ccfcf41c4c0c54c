#!/usr/bin/env python3
"""Turns the JSON of an Int8VsFp32Models JMH run (-rf json, SampleTime, optionally -prof gc) into the tables of
docs/performance.md for issue 4: per INT8 model, the median latency and interquartile range of the INT8 IR on the
int8 path, the same IR on the fp32 path (FakeQuantize literal) and the float IR, and the ratios of medians
(with the ratios of the 25th and 75th percentiles as the spread).

usage: python3 benchmarks/int8-table.py run.json
"""
import json
import sys

from jmh_json import summary

PATHS = ["int8", "fp32-literal", "float"]


def main(path):
    rows = {}
    order = []
    for b in json.load(open(path)):
        if not b["benchmark"].endswith("Int8VsFp32Models.infer"):
            continue
        model = b["params"]["model"]
        if model not in order:
            order.append(model)
        rows[(model, b["params"]["path"])] = summary(b)

    print("| model | int8 ms (IQR) | fp32-literal ms (IQR) | float IR ms (IQR) | int8 / fp32-literal (p25, p75) "
          "| int8 / float (p25, p75) | int8 alloc B/inference |")
    print("|---|---|---|---|---|---|---|")
    for m in order:
        cells = []
        for p in PATHS:
            r = rows.get((m, p))
            cells.append("-" if r is None else "%.3f (%.3f-%.3f)" % (r["median"] / 1e3, r["p25"] / 1e3, r["p75"] / 1e3))
        ratios = []
        i8 = rows.get((m, "int8"))
        for p in PATHS[1:]:
            o = rows.get((m, p))
            ratios.append("-" if i8 is None or o is None else "%.2f (%.2f, %.2f)" % (
                i8["median"] / o["median"], i8["p25"] / o["p25"], i8["p75"] / o["p75"]))
        alloc = "-" if i8 is None or i8["alloc"] is None else "%.0f" % i8["alloc"]
        print("| %s | %s | %s | %s |" % (m, " | ".join(cells), " | ".join(ratios), alloc))


if __name__ == "__main__":
    main(sys.argv[1])

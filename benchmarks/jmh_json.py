"""Reading JMH JSON results (-rf json) of SampleTime benchmarks: the sampled latencies of every iteration and their
nearest-rank percentiles. Shared by model-table.py and int8-table.py."""


def percentile(hist, q):
    """hist: list of [value, count] over all iterations; nearest-rank percentile."""
    pts = sorted(hist)
    total = sum(c for _, c in pts)
    rank = q * (total - 1)
    seen = 0
    for v, c in pts:
        seen += c
        if seen > rank:
            return v
    return pts[-1][0]


def histogram(benchmark):
    """Every (latency, count) pair that JMH sampled for one benchmark, over forks and iterations."""
    return [pair for fork in benchmark["primaryMetric"]["rawDataHistogram"] for it in fork for pair in it]


def summary(benchmark):
    """median, p25, p75 (in the benchmark's unit), sample count and gc.alloc.rate.norm (None without -prof gc)."""
    hist = histogram(benchmark)
    return dict(median=percentile(hist, 0.5), p25=percentile(hist, 0.25), p75=percentile(hist, 0.75),
                n=sum(c for _, c in hist),
                alloc=benchmark.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score"))

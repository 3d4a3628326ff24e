"""A picture of the flash sale: throughput and latency, second by second (matplotlib)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from boxoffice.bench.load import Sale


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def sale_chart(sale: Sale, path: Path, title: str) -> Path:
    """Holds and orders per second (top) and their p50 / p99 latency (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_second: dict[str, dict[int, list[float]]] = {"hold": defaultdict(list), "order": defaultdict(list)}
    for t, kind, ms in sale.timeline:
        per_second[kind][int(t)].append(ms)
    last = max((int(t) for t, _, _ in sale.timeline), default=0)
    seconds = list(range(last + 1))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for kind, colour in (("hold", "tab:blue"), ("order", "tab:orange")):
        buckets = per_second[kind]
        top.plot(seconds, [len(buckets.get(s, [])) for s in seconds], label=f"{kind}s/s", color=colour)
        timed = [s for s in seconds if buckets.get(s)]
        bottom.plot(timed, [_percentile(buckets[s], 0.5) for s in timed], color=colour, label=f"{kind} p50")
        bottom.plot(timed, [_percentile(buckets[s], 0.99) for s in timed], color=colour, linestyle="--",
                    label=f"{kind} p99")  # fmt: skip
    top.set_ylabel("per second")
    top.set_title(title)
    top.legend()
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("seconds into the sale")
    bottom.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

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
    """Holds and orders per second, and the fans refused (sold out, seats
    taken: answered, not failed), on top; their p50 / p99 latency below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = max((t for t, _, _ in sale.timeline), default=0.0)
    width = 1.0 if end > 20 else 0.25  # a short sale in quarter seconds, so its shape shows
    per_bucket: dict[str, dict[int, list[float]]] = {
        "hold": defaultdict(list), "order": defaultdict(list), "refused": defaultdict(list)
    }  # fmt: skip
    for t, kind, ms in sale.timeline:
        per_bucket[kind][int(t / width)].append(ms)
    buckets_ = list(range(int(end / width) + 1))
    at = [b * width for b in buckets_]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for kind, colour in (("hold", "tab:blue"), ("order", "tab:orange"), ("refused", "tab:grey")):
        buckets = per_bucket[kind]
        label = "refused fans/s (sold out, seats taken)" if kind == "refused" else f"{kind}s/s"
        top.plot(at, [len(buckets.get(b, [])) / width for b in buckets_], label=label, color=colour,
                 linestyle=":" if kind == "refused" else "-")  # fmt: skip
        if kind == "refused":
            continue
        timed = [b for b in buckets_ if buckets.get(b)]
        bottom.plot([b * width for b in timed], [_percentile(buckets[b], 0.5) for b in timed], color=colour,
                    label=f"{kind} p50")  # fmt: skip
        bottom.plot([b * width for b in timed], [_percentile(buckets[b], 0.99) for b in timed], color=colour,
                    linestyle="--", label=f"{kind} p99")  # fmt: skip
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

"""In one process (httpx.ASGITransport into create_app, the bench's PostgreSQL
+ Redis): holds at RATE per second for 5 s, with the hold batches' sizes and
durations, the garbage collector's pauses by generation and the event loop's
lag. FREEZE=1 freezes what start-up made first, as `boxoffice serve` does.
The client shares the loop, so its latencies are an upper bound.

    [FREEZE=1] .venv/bin/python docs/profiles/gc_pauses.py [RATE]
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
from collections import Counter
from typing import Any

import httpx

from _setup import bench_fixture, drop
from boxoffice.bootstrap import build_container
from boxoffice.holds.batch import HoldBatcher
from boxoffice.web.app import create_app

RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 200


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(int(len(values) * p), len(values) - 1)]


async def main() -> None:
    settings, f = await bench_fixture(hold_rate="1000000/minute", ip_rate="100000000/minute")
    batch_ms: list[float] = []
    sizes: list[int] = []
    decide = HoldBatcher.decide

    async def timed(self: HoldBatcher, batch: list[Any]) -> Any:
        started = time.perf_counter()
        try:
            return await decide(self, batch)
        finally:
            batch_ms.append((time.perf_counter() - started) * 1000)
            sizes.append(len(batch))

    HoldBatcher.decide = timed  # type: ignore[method-assign]  # before the batcher binds it
    container = build_container(settings)
    app = create_app(container, sweep_every=None)
    latencies: list[float] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as c:
        for token in f.tokens[:2000]:  # warm sessions, as after the waiting room
            await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        batch_ms.clear()
        sizes.clear()
        if os.environ.get("FREEZE"):
            gc.collect()
            gc.freeze()
            print("frozen objects:", gc.get_freeze_count())
        pauses: list[tuple[int, float]] = []
        started: list[float] = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.append((info["generation"], (time.perf_counter() - started[0]) * 1000))

        gc.callbacks.append(on_gc)
        lags: list[float] = []

        async def watch_loop() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.001)
                lags.append((time.perf_counter() - before) * 1000 - 1)

        watcher = asyncio.create_task(watch_loop())
        body = {"show_id": f.roomy_show, "section_id": f.roomy_section, "quantity": 1}

        async def hold(i: int, due: float) -> None:
            r = await c.post("/api/v1/holds", json=body, headers={"Authorization": f"Bearer {f.tokens[i]}"})
            latencies.append((time.perf_counter() - due) * 1000)
            assert r.status_code == 201, r.text

        t0 = time.perf_counter()
        tasks = []
        for i in range(int(RATE * 5)):
            due = t0 + i / RATE
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(hold(i % 2000, due)))
        await asyncio.gather(*tasks)
        watcher.cancel()
        gc.callbacks.remove(on_gc)
    by_generation = Counter(g for g, _ in pauses)
    longest = {g: round(max(ms for gg, ms in pauses if gg == g), 1) for g in by_generation}
    print(f"collections by generation {dict(by_generation)}, longest pause (ms) {longest}")
    print(f"loop lag p50 {pct(lags, .5):.1f} p99 {pct(lags, .99):.1f} max {max(lags):.1f} ms")
    print(f"hold latency p50 {pct(latencies, .5):.1f} p99 {pct(latencies, .99):.1f} ms; "
          f"{len(batch_ms)} batches, mean size {statistics.mean(sizes):.1f}, "
          f"batch p50 {pct(batch_ms, .5):.1f} p99 {pct(batch_ms, .99):.1f} ms")  # fmt: skip
    await container.close()
    await drop()


asyncio.run(main())

"""How the line behaves at mega-show scale on one Redis: join a million fans
before the sale, draw the lottery, poll, admit, and report what it cost
(throughput, latency percentiles, Redis memory). Run with
`boxoffice queue scale --fans 1000000 --redis-url redis://127.0.0.1:6379/0`.

It works on its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from boxoffice.waitingroom.domain import lottery_order
from boxoffice.waitingroom.redis_store import RedisQueueStore

SHOW = "scale-check"


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100)[q - 1]

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.count:>9,} in {self.seconds:7.1f} s = {self.rate:>9,.0f}/s"
            f"   p50 {self.percentile(50):6.2f} ms  p99 {self.percentile(99):6.2f} ms"
        )


@dataclass(frozen=True, slots=True)
class ScaleReport:
    fans: int
    steps: list[Step]
    line_bytes: int
    used_memory_delta: int

    def lines(self) -> list[str]:
        per_fan = self.line_bytes / self.fans if self.fans else 0
        return [
            *(step.line() for step in self.steps),
            f"line keys in Redis: {self.line_bytes / 2**20:,.1f} MiB ({per_fan:.0f} bytes per fan);"
            f" Redis used_memory grew {self.used_memory_delta / 2**20:,.1f} MiB",
        ]


async def _timed(
    name: str, count: int, concurrency: int, op: Callable[[int], Awaitable[object]],
    progress: Callable[[str], None],
) -> Step:  # fmt: skip
    """Run op(0..count-1) from `concurrency` workers; time each call."""
    latencies: list[float] = []
    next_index = iter(range(count))

    async def worker() -> None:
        for i in next_index:
            started = time.perf_counter()
            await op(i)
            latencies.append((time.perf_counter() - started) * 1000)
            if len(latencies) % 100_000 == 0:
                progress(f"{name}: {len(latencies):,} of {count:,}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Step(name, count, time.perf_counter() - started, latencies)


async def measure_scale(
    redis_url: str, *, fans: int = 1_000_000, polls: int = 100_000, concurrency: int = 64,
    progress: Callable[[str], None] = lambda _: None,
) -> ScaleReport:  # fmt: skip
    redis = aioredis.Redis.from_url(redis_url, max_connections=concurrency + 4)
    prefix = f"boxoffice-scale:{uuid.uuid4().hex[:8]}"
    store = RedisQueueStore(redis, prefix=prefix)
    t0 = datetime(2030, 6, 1, 10, tzinfo=UTC)
    try:
        before = int((await redis.info("memory"))["used_memory"])
        steps = [
            await _timed(
                "join (before the sale)", fans, concurrency,
                lambda i: store.join(SHOW, f"fan-{i:07d}", t0 + timedelta(microseconds=i)), progress,
            ),  # fmt: skip
            await _draw(store, progress),
            await _timed(
                "poll (one script)", polls, concurrency,
                lambda i: _poll(store, f"fan-{(i * 7919) % fans:07d}"), progress,
            ),  # fmt: skip
            await _timed(
                "admit tick", 1_000, 1,
                lambda i: _admit(store, t0 + timedelta(hours=1, seconds=i)), progress,
            ),  # fmt: skip
        ]
        line_bytes = await store.memory_bytes(SHOW)
        after = int((await redis.info("memory"))["used_memory"])
        return ScaleReport(fans, steps, line_bytes, after - before)
    finally:
        await store.forget(SHOW)
        await store.close()


async def _draw(store: RedisQueueStore, progress: Callable[[str], None]) -> Step:
    progress("drawing the lottery")
    started = time.perf_counter()
    await store.freeze(SHOW)
    entrants = await store.early_entrants(SHOW)
    await store.place_early(SHOW, lottery_order("scale-check-seed", entrants))
    return Step("lottery draw", len(entrants), time.perf_counter() - started,
                [(time.perf_counter() - started) * 1000])  # fmt: skip


async def _poll(store: RedisQueueStore, account_id: str) -> None:
    """What a poll asks the line (the room's settings come from the cache)."""
    await store.view(SHOW, account_id)


async def _admit(store: RedisQueueStore, now: datetime) -> None:
    state = await store.state(SHOW)
    await store.advance(SHOW, state.cursor, 1000, now, 0.0)

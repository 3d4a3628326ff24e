"""`boxoffice bench fleet`: what Redis Cluster and PgBouncer cost, as ratios
measured in one run against a single Redis and direct PostgreSQL connections.

- Redis: waiting-line joins and polls (the Lua scripts of one show's line,
  which lives in one slot of the cluster) and cache GETs (keys spread over
  every primary), each on the single server, then on the cluster.
- PostgreSQL: holds (general admission, group-committed batches) and paid
  orders through the services, direct, then through PgBouncer in
  transaction mode (SET LOCAL lock_timeout, unnamed statements).

In process, no HTTP: what differs between the two sides is only the engine.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from boxoffice.accounts.domain import Account
from boxoffice.accounts.passwords import Passwords, fast_hasher
from boxoffice.bootstrap import Container, build_container
from boxoffice.bench.fixture import PASSWORD, _show, bench_settings, drop_database, recreate_database
from boxoffice.cache.redis import RedisCache
from boxoffice.holds.domain import HoldRequest
from boxoffice.redisclient import redis_client
from boxoffice.storage.migrate import migrate
from boxoffice.waitingroom.redis_store import RedisQueueStore

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Measured:
    per_second: float
    cpu_ms: float  # this process's CPU time per call (less noisy than rates on a busy machine)


@dataclass(frozen=True, slots=True)
class Rate:
    what: str
    baseline: Measured  # single Redis / direct PostgreSQL
    other: Measured  # Redis Cluster / PgBouncer

    def line(self) -> str:
        a, b = self.baseline, self.other
        ratio = b.per_second / a.per_second if a.per_second else 0.0
        cpu = b.cpu_ms / a.cpu_ms if a.cpu_ms else 0.0
        return (f"{self.what:<26} {a.per_second:>8,.0f}/s {b.per_second:>8,.0f}/s  ratio {ratio:4.2f}"
                f"   CPU/call {a.cpu_ms:6.3f} {b.cpu_ms:6.3f} ms  ratio {cpu:4.2f}")  # fmt: skip


async def _for(seconds: float, concurrency: int, op: Callable[[int], Awaitable[object]]) -> Measured:
    """Calls per second of op(i) from `concurrency` workers for `seconds`, and CPU per call."""
    done = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal done
        for i in counter:
            if time.perf_counter() >= deadline:
                return
            await op(i)
            done += 1

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Measured(done / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / max(done, 1))


async def _redis_side(url: str, cluster: bool, seconds: float, concurrency: int) -> tuple[Measured, ...]:
    client = redis_client(url, cluster=cluster, max_connections=concurrency + 8)
    show, t0 = f"bench-{uuid.uuid4().hex[:8]}", datetime(2030, 6, 1, 10, tzinfo=UTC)
    store = RedisQueueStore(client, prefix="boxoffice-bench-fleet")
    cache = RedisCache(url, cluster=cluster, prefix=f"boxoffice-bench-fleet-{show}:")
    try:
        joins = await _for(seconds, concurrency,
                           lambda i: store.join(show, f"fan-{i:07d}", t0 + timedelta(microseconds=i)))  # fmt: skip
        fans = max(1, int(joins.per_second * seconds))
        polls = await _for(seconds, concurrency, lambda i: store.view(show, f"fan-{(i * 7919) % fans:07d}"))
        for i in range(1000):
            await cache.set(f"k{i}", b"x" * 200, 60)
        gets = await _for(seconds, concurrency, lambda i: cache.get(f"k{i % 1000}"))
        return joins, polls, gets
    finally:
        await store.forget(show)
        await cache._flush()
        await cache.close()
        await store.close()


async def redis_rates(single: str, cluster: str, *, seconds: float, concurrency: int, progress: Progress) -> list[Rate]:
    progress("single Redis")
    one = await _redis_side(single, False, seconds, concurrency)
    progress("Redis Cluster")
    many = await _redis_side(cluster, True, seconds, concurrency)
    names = ["waiting line: joins", "waiting line: polls", "cache GETs"]
    return [Rate(n, a, b) for n, a, b in zip(names, one, many, strict=True)]


async def _database_side(
    container: Container, fans: list[Account], show_id: str, section_id: str, seconds: float, concurrency: int
) -> tuple[Measured, Measured]:
    holds: list[tuple[Account, str]] = []
    run = uuid.uuid4().hex[:6]

    async def hold(i: int) -> None:
        fan = fans[i % len(fans)]
        made = await container.holds.create(fan, HoldRequest(show_id, section_id, 1), f"h-{run}-{i}")
        holds.append((fan, made.id))

    hold_rate = await _for(seconds, concurrency, hold)
    paid = 0
    deadline = time.perf_counter() + seconds

    async def pay() -> None:
        nonlocal paid
        while holds and time.perf_counter() < deadline:
            fan, hold_id = holds.pop()
            await container.orders.create(fan, hold_id, {"method": "fake", "outcome": "approve"}, f"o-{hold_id}")
            paid += 1

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(pay() for _ in range(concurrency)))
    orders = Measured(paid / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / max(paid, 1))
    return hold_rate, orders


async def database_rates(
    server_url: str, pgbouncer_url: str, *, seconds: float, concurrency: int, fans: int, data_dir: Path,
    progress: Progress,
) -> list[Rate]:  # fmt: skip
    direct_url = await recreate_database(server_url)
    bounced_url = pgbouncer_url.rsplit("/", 1)[0] + "/" + direct_url.rsplit("/", 1)[1]
    try:
        setup = build_container(bench_settings(data_dir, direct_url, None), passwords=Passwords(fast_hasher()))
        await migrate(setup.database)
        show = await setup.inventory.create_show(_show("Fleet", 200_000, 0, setup, limit=100))
        accounts = []
        for i in range(fans):
            await setup.accounts.register(f"fleet{i}@bench.example.com", PASSWORD, "Fan")
            accounts.append((await setup.accounts.login(f"fleet{i}@bench.example.com", PASSWORD))[0])
        await setup.close()
        rates = []
        for name, url, bounced in (("direct", direct_url, False), ("PgBouncer", bounced_url, True)):
            progress(f"PostgreSQL {name}")
            settings = bench_settings(data_dir, url, None).model_copy(
                update={"database_pgbouncer": bounced, "cache_enabled": False, "hold_rate": "1000000/minute"}
            )
            container = build_container(settings, passwords=Passwords(fast_hasher()))
            try:
                rates.append(await _database_side(container, accounts, show.id, show.sections[0].id,
                                                  seconds, concurrency))  # fmt: skip
            finally:
                await container.close()
        (hd, od), (hb, ob) = rates
        return [Rate("holds (group-committed)", hd, hb), Rate("orders (paid)", od, ob)]
    finally:
        await drop_database(server_url)

"""A bench run from start to end: scratch database, fans, server, phases,
checks, report. Everything is bounded: each wrk phase lasts `seconds`, the
flash sale stops at its time limit, and the scratch database is dropped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from boxoffice.bench import fixture as fx
from boxoffice.bench.baseline import naive_hot_row
from boxoffice.bench.checks import Totals, check
from boxoffice.bench.load import (
    Rate, Sale, flash_sale, paced, pay_holds, pay_request, seat_ids_of, wrk, wrk_available,
)
from boxoffice.bench.server import Server
from boxoffice.storage.database import Database

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Options:
    database_url: str | None  # a PostgreSQL server (the bench makes its own database); None = SQLite
    redis_url: str | None
    workers: int = 2
    fans: int = 4000
    ga: int = 3000
    seats: int = 1000
    concurrency: int = 64
    seconds: int = 5
    hold_batch_size: int | None = None  # None: the default setting


@dataclass
class Report:
    options: dict[str, Any]
    rates: dict[str, Rate] = field(default_factory=dict)
    naive_hot_row_per_second: float = 0.0
    naive_purchase_per_second: float = 0.0  # hold + pay, two transactions on the hot row
    sale: Sale | None = None
    totals: Totals | None = None
    rss_mb: list[float] = field(default_factory=list)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # app CPU per request, by phase
    background_ms_per_order: float | None = None  # the worker's CPU (order mails, PDF tickets)
    sale_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the sale, by whom
    transactions_per_rejection: float | None = None
    statements_per_rejection: float | None = None  # SQL the app sent, from its metrics
    idle_transactions: int | None = None  # in a window as long as the phase, with no load

    def ratio(self, name: str, to: str = "empty") -> float:
        base = self.rates[to].per_second
        return self.rates[name].per_second / base if base else 0.0


def require_wrk() -> None:
    if not wrk_available():
        raise RuntimeError("the bench drives load with wrk: apt-get install -y wrk")


async def _setup(options: Options, folder: Path, progress: Progress) -> tuple[fx.Fixture, Any]:
    url = None
    if options.database_url:
        progress(f"creating the scratch database {fx.BENCH_DATABASE}")
        url = await fx.recreate_database(options.database_url)
    settings = fx.bench_settings(folder, url, options.redis_url)
    progress(f"signing up {options.fans:,} fans, creating the shows")
    fixture = await fx.prepare(
        settings, fans=options.fans, ga=options.ga, seats=options.seats, progress=progress
    )
    if options.redis_url:
        await _flush_redis(options.redis_url)
    return fixture, settings


async def _live_holds(settings: Any, fixture: fx.Fixture) -> list[tuple[str, str]]:
    """The roomy show's live holds (from the holds phases) with their holders' tokens."""
    from sqlalchemy import select

    from boxoffice.storage.tables import accounts, holds

    database = Database(settings.effective_database_url)
    try:
        async with database.engine.connect() as conn:
            rows = await conn.execute(
                select(holds.c.id, accounts.c.email).join(accounts, accounts.c.id == holds.c.account_id)
                .where(holds.c.show_id == fixture.roomy_show, holds.c.status == "active")
            )  # fmt: skip
            found = [(hold_id, fixture.tokens[fx.fan_index(email)]) for hold_id, email in rows]
    finally:
        await database.dispose()
    return found


async def _flush_redis(url: str) -> None:
    """Caches and rate-limit counters of an earlier run must not leak into this one."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        for pattern in ("boxoffice:*", "LIMITER*"):
            keys = [k async for k in client.scan_iter(pattern)]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()


@dataclass
class CpuSplit:
    """Where the machine's CPU went during a phase: the app processes, the
    background worker, this process (the crowd's client), and the rest of
    the machine (PostgreSQL, Redis, the mail catcher, anything else)."""

    machine: float
    app: float
    worker: float
    client: float
    started: float

    @classmethod
    def start(cls, server: Server) -> CpuSplit:
        return cls(_machine_busy_seconds(), server.worker_cpu_seconds(), server.background_cpu_seconds(),
                   time.process_time(), time.perf_counter())  # fmt: skip

    def stop(self, server: Server) -> dict[str, float]:
        machine = _machine_busy_seconds() - self.machine
        app = server.worker_cpu_seconds() - self.app
        worker = server.background_cpu_seconds() - self.worker
        client = time.process_time() - self.client
        return {
            "seconds": time.perf_counter() - self.started, "cores": float(os.cpu_count() or 1),
            "busy": machine, "app": app, "worker": worker, "client": client,
            "rest": max(machine - app - worker - client, 0.0),
        }


def _machine_busy_seconds() -> float:
    """CPU time all cores have spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


async def _mail_sent(database_url: str, seconds: float) -> None:
    """Wait (at most `seconds`) until the outbox has nothing left to send."""
    from boxoffice.outbox.domain import Status

    database = Database(database_url)
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            async with database.engine.connect() as conn:
                left = (await conn.execute(
                    text("SELECT count(*) FROM outbox_messages WHERE status IN (:p, :s)"),
                    {"p": Status.PENDING.value, "s": Status.SENDING.value},
                )).scalar_one()  # fmt: skip
            if not left:
                return
            await asyncio.sleep(0.5)
    finally:
        await database.dispose()


def _server_env(options: Options, **extra: str) -> dict[str, str]:
    env = dict(extra)
    if options.hold_batch_size is not None:
        env["BOXOFFICE_HOLD_BATCH_SIZE"] = str(options.hold_batch_size)
    return env


async def sale(options: Options, progress: Progress) -> Report:
    """The flash sale with its baselines: empty endpoint, naive hot row."""
    require_wrk()
    report = Report(options=asdict(options))
    with tempfile.TemporaryDirectory(prefix="boxoffice-bench-") as tmp:
        folder = Path(tmp)
        fixture, settings = await _setup(options, folder, progress)
        try:
            progress("baseline: naive hot-row hold on the same database")
            report.naive_hot_row_per_second = await naive_hot_row(
                settings.effective_database_url, seconds=options.seconds, clients=8
            )
            report.naive_purchase_per_second = await naive_hot_row(
                settings.effective_database_url, seconds=options.seconds, clients=8, purchase=True
            )
            files = fx.write_inputs(fixture, folder / "inputs")
            progress(f"starting the server ({options.workers} worker(s))")
            with Server(settings, options.workers, folder / "server.log", **_server_env(options)) as server:
                phase = _timed(_phases(server.url, options, files), server, report)
                background = server.background_cpu_seconds()  # the worker, started and idle
                progress("empty endpoint")
                report.rates["empty"] = phase("empty", "GET", "/healthz")
                progress("hold throughput (roomy show)")
                phase("warm-up", "GET", "/api/v1/me")  # fans' sessions, as after the waiting room
                report.rates["holds"] = phase("holds", "POST", "/api/v1/holds", _ROOMY)
                half = report.rates["holds"].per_second / 2
                progress(f"hold latency at half that rate ({half:,.0f}/s, open loop)")
                report.rates["holds_at_half"] = await paced(
                    "holds_at_half", server.url, "/api/v1/holds", fixture.roomy_hold, fixture.tokens,
                    rate=half, seconds=options.seconds,
                )  # fmt: skip
                progress("order throughput (paying the roomy show's holds)")
                before = server.worker_cpu_seconds()
                report.rates["orders"] = await pay_holds(
                    server.url, await _live_holds(settings, fixture), concurrency=options.concurrency,
                    seconds=options.seconds,
                )  # fmt: skip
                report.cpu_ms["orders"] = (server.worker_cpu_seconds() - before) * 1000 / max(
                    report.rates["orders"].requests, 1
                )
                half_orders = report.rates["orders"].per_second / 2
                progress(f"order latency at half that rate ({half_orders:,.0f}/s, open loop)")
                left = await _live_holds(settings, fixture)
                report.rates["orders_at_half"] = await paced(
                    "orders_at_half", server.url, "/api/v1/orders", {}, [], rate=half_orders,
                    seconds=options.seconds, requests=lambda i: pay_request(left[i]), count=len(left),
                )  # fmt: skip
                progress(f"flash sale: {options.fans:,} fans for {fixture.capacity:,} tickets")
                seat_ids = await seat_ids_of(server.url, fixture.tokens[0], fixture.sale_show,
                                             fixture.seated_section)  # fmt: skip
                before = server.worker_cpu_seconds()
                spent = CpuSplit.start(server)
                report.sale = await flash_sale(
                    server.url, fixture.tokens, fixture.sale_show, fixture.ga_section,
                    fixture.seated_section, seat_ids, concurrency=options.concurrency,
                )  # fmt: skip
                report.sale_cpu = spent.stop(server)
                paid = report.sale.orders.outcomes.get("201", 0)
                report.cpu_ms["sale, per paid fan (hold + order)"] = (
                    (server.worker_cpu_seconds() - before) * 1000 / max(paid, 1)
                )
                progress("sold-out rejections")
                report.rates["sold_out"] = phase("sold_out", "POST", "/api/v1/holds", _SOLD_OUT)
                report.rss_mb = server.worker_rss_mb()
                progress("waiting for the worker to send the order mails")
                await _mail_sent(settings.effective_database_url, seconds=180)
                paid_all = report.rates["orders"].codes.get("201", 0) + paid
                report.background_ms_per_order = (
                    (server.background_cpu_seconds() - background) * 1000 / max(paid_all, 1)
                )
            report.totals = await check(settings.effective_database_url, fixture.sale_show)
        finally:
            if options.database_url:
                await fx.drop_database(options.database_url)
    return report


Measure = Callable[[Report, Callable[..., Rate], fx.Fixture, Any, Server], Awaitable[None]]


async def _variants(
    options: Options, progress: Progress, variants: list[tuple[str, dict[str, str]]], measure: Measure
) -> dict[str, Report]:
    """The same measurement against servers started with different settings,
    one after another, on one sold-out flash-sale show and one roomy show."""
    require_wrk()
    reports = {}
    with tempfile.TemporaryDirectory(prefix="boxoffice-bench-") as tmp:
        folder = Path(tmp)
        fixture, settings = await _setup(options, folder, progress)
        try:
            await _sell_out(settings, fixture)
            files = fx.write_inputs(fixture, folder / "inputs")
            for label, env in variants:
                progress(f"{label}: starting the server ({options.workers} worker(s))")
                report = Report(options={**asdict(options), "variant": label})
                with Server(settings, options.workers, folder / "server.log",
                            **_server_env(options, **env)) as server:  # fmt: skip
                    await measure(report, _phases(server.url, options, files), fixture, settings, server)
                    report.rss_mb = server.worker_rss_mb()
                reports[label] = report
                if options.redis_url:
                    await _flush_redis(options.redis_url)
        finally:
            if options.database_url:
                await fx.drop_database(options.database_url)
    return reports


def _reads(report: Report, phase: Callable[..., Rate], fixture: fx.Fixture) -> None:
    """The ceiling (the empty endpoint) and the commonest read of a sale."""
    report.rates["empty"] = phase("empty", "GET", "/healthz")
    report.rates["availability"] = phase(
        "availability", "GET", f"/api/v1/shows/{fixture.sale_show}/availability"
    )


async def cache(options: Options, progress: Progress) -> dict[str, Report]:
    """Availability reads and sold-out rejections with the cache on and off."""

    async def measure(
        report: Report, phase: Callable[..., Rate], fixture: fx.Fixture, settings: Any, server: Server
    ) -> None:
        _reads(report, phase, fixture)
        # Logged-in fans have warm sessions: count only what a rejection costs.
        phase("warm-up", "GET", "/api/v1/me")
        before = await _transactions(settings.database_url)
        statements = _statements_sent(server.url)
        report.rates["sold_out"] = phase("sold_out", "POST", "/api/v1/holds", _SOLD_OUT)
        report.statements_per_rejection = (_statements_sent(server.url) - statements) / max(
            report.rates["sold_out"].requests, 1
        )
        after = await _transactions(settings.database_url)
        # What the server does by itself meanwhile (background jobs, the
        # statistics reads themselves): the same window with no load.
        await asyncio.sleep(options.seconds)
        idle = await _transactions(settings.database_url)
        if before is not None and after is not None and idle is not None:
            requests = max(report.rates["sold_out"].requests, 1)
            report.transactions_per_rejection = (after - before) / requests
            report.idle_transactions = idle - after

    variants = [("cache on", {"BOXOFFICE_CACHE_ENABLED": "true"}),
                ("cache off", {"BOXOFFICE_CACHE_ENABLED": "false"})]  # fmt: skip
    return await _variants(options, progress, variants, measure)


async def overhead(options: Options, progress: Progress) -> dict[str, Report]:
    """The hot endpoints with metrics and logging off, then on (JSON logs, access log)."""

    async def measure(
        report: Report, phase: Callable[..., Rate], fixture: fx.Fixture, _: Any, __: Server
    ) -> None:
        _reads(report, phase, fixture)
        phase("warm-up", "GET", "/api/v1/me")  # sessions as a sale finds them
        report.rates["holds"] = phase("holds", "POST", "/api/v1/holds", _ROOMY)
        report.rates["sold_out"] = phase("sold_out", "POST", "/api/v1/holds", _SOLD_OUT)

    quiet = {"BOXOFFICE_METRICS_ENABLED": "false", "BOXOFFICE_ACCESS_LOG": "false"}
    observed = {"BOXOFFICE_METRICS_ENABLED": "true", "BOXOFFICE_ACCESS_LOG": "true",
                "BOXOFFICE_LOG_FORMAT": "json"}  # fmt: skip
    # Twice each, interleaved: a drift over the run (a growing holds table, a
    # warming disk cache) then shows as a difference between rounds, not as overhead.
    variants = [(f"observability {label} (round {n})", env)
                for n in (1, 2) for label, env in (("off", quiet), ("on", observed))]  # fmt: skip
    return await _variants(options, progress, variants, measure)


async def balancer(options: Options, progress: Progress, apps: tuple[int, ...]) -> dict[str, Report]:
    """The hold path through HAProxy with 1, 2, 4... single-worker app processes."""
    from boxoffice.topology.haproxy import HAProxy

    require_wrk()
    if not (options.database_url and options.redis_url):
        raise RuntimeError("the balancer bench needs --database-url (PostgreSQL) and --redis-url")
    reports = {}
    with tempfile.TemporaryDirectory(prefix="boxoffice-bench-") as tmp:
        folder = Path(tmp)
        fixture, settings = await _setup(options, folder, progress)
        try:
            files = fx.write_inputs(fixture, folder / "inputs")
            for n in apps:
                progress(f"{n} app process(es) behind HAProxy")
                report = Report(options={**asdict(options), "apps": n})
                with contextlib.ExitStack() as stack:
                    servers = [
                        stack.enter_context(Server(settings, 1, folder / f"app{i}.log", **_server_env(options)))
                        for i in range(n)
                    ]
                    lb = stack.enter_context(HAProxy(folder, [int(s.url.rsplit(":", 1)[1]) for s in servers]))
                    lb.start(expect_up=n)
                    phase = _phases(lb.url, options, files)
                    report.rates["empty"] = phase("empty", "GET", "/healthz")
                    phase("warm-up", "GET", "/api/v1/me")  # sessions as a sale finds them
                    report.rates["holds"] = phase("holds", "POST", "/api/v1/holds", _ROOMY)
                    report.rss_mb = [m for s in servers for m in s.worker_rss_mb()]
                reports[f"{n} app(s)"] = report
                await _flush_redis(options.redis_url)
        finally:
            await fx.drop_database(options.database_url)
    return reports


_ROOMY, _SOLD_OUT = "hold_roomy", "hold_sold_out"


def _phases(base_url: str, options: Options, files: dict[str, Path]) -> Callable[..., Rate]:
    def phase(name: str, method: str, path: str, body: str | None = None) -> Rate:
        return wrk(
            name, base_url, path, seconds=options.seconds, connections=options.concurrency,
            method=method, body=files[body] if body else None, tokens=files["tokens"],
        )  # fmt: skip

    return phase


def _timed(phase: Callable[..., Rate], server: Server, report: Report) -> Callable[..., Rate]:
    """A phase that also records the app processes' CPU per request."""

    def timed(name: str, *args: Any) -> Rate:
        before = server.worker_cpu_seconds()
        rate = phase(name, *args)
        report.cpu_ms[name] = (server.worker_cpu_seconds() - before) * 1000 / max(rate.requests, 1)
        return rate

    return timed


async def _sell_out(settings: Any, fixture: fx.Fixture) -> None:
    """Sell every general-admission ticket straight in the database (the cache
    bench measures the crowd that arrives after)."""
    from boxoffice.storage.tables import sections

    database = Database(settings.effective_database_url)
    try:
        async with database.transaction(write=True) as conn:
            await conn.execute(
                sections.update().where(sections.c.id == fixture.ga_section)
                .values(sold_count=sections.c.capacity)
            )  # fmt: skip
            await conn.commit()
    finally:
        await database.dispose()


def _statements_sent(base_url: str) -> float:
    """How many SQL statements the app has sent, from its own metrics (summed
    over its worker processes)."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as answer:
        text_ = answer.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text_)
        for sample in family.samples
        if sample.name == "boxoffice_db_query_duration_seconds_count"
    )


async def _transactions(database_url: str | None) -> int | None:
    """PostgreSQL's count of transactions in the bench database (None on SQLite)."""
    if not database_url:
        return None
    database = Database(database_url)
    try:
        await asyncio.sleep(1.2)  # backends report their statistics about once a second
        async with database.engine.connect() as conn:
            value = await conn.scalar(
                text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :n"),
                {"n": fx.BENCH_DATABASE},
            )
        return int(value)
    finally:
        await database.dispose()


def to_json(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["rates"] = {k: {**asdict(v), "per_second": v.per_second} for k, v in report.rates.items()}
    if report.sale is not None:
        data["sale"] = {
            "fans": report.sale.fans, "seconds": report.sale.seconds,
            "holds": dict(report.sale.holds.outcomes), "orders": dict(report.sale.orders.outcomes),
            "hold_ms": report.sale.holds.percentiles(), "order_ms": report.sale.orders.percentiles(),
        }  # fmt: skip
    return json.loads(json.dumps(data, default=str))

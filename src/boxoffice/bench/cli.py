"""`boxoffice bench sale | cache | overhead | balancer | fleet | front-door`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--database-url", default=None,
                     help="A PostgreSQL server (postgresql+asyncpg://...); the bench creates and drops "
                          "its own database there. Default: SQLite."),
        click.option("--redis-url", default=None, help="Redis for the app (default: in-process cache)."),
        click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16)),
        click.option("--fans", default=4000, show_default=True, type=click.IntRange(10, 200_000)),
        click.option("--ga", default=3000, show_default=True, type=click.IntRange(1, 1_000_000),
                     help="General-admission tickets in the flash sale."),
        click.option("--seats", default=1000, show_default=True, type=click.IntRange(0, 100_000),
                     help="Numbered seats in the flash sale."),
        click.option("--concurrency", default=64, show_default=True, type=click.IntRange(1, 2000)),
        click.option("--seconds", default=5, show_default=True, type=click.IntRange(1, 120),
                     help="Length of each wrk phase."),
        click.option("--hold-batch-size", default=None, type=click.IntRange(1, 1000),
                     help="Override BOXOFFICE_HOLD_BATCH_SIZE for the server."),
        click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write the figures as JSON."),
    ]):  # fmt: skip
        command = option(command)
    return command


@click.group()
def bench() -> None:
    """Bounded loopback benchmarks (they print figures; nothing passes or fails)."""


def _run(work: Callable[..., Any], kwargs: dict[str, Any], *extra: Any) -> Any:
    from boxoffice.bench.run import Options

    json_path = kwargs.pop("json_path")
    options = Options(**kwargs)
    try:
        result = asyncio.run(work(options, lambda m: click.echo(f"  .. {m}", err=True), *extra))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    return result, json_path


@bench.command()
@_options
@click.option("--chart", "chart_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the sale's throughput and latency over time (PNG; needs matplotlib).")  # fmt: skip
def sale(chart_path: Path | None, **kwargs: Any) -> None:
    """A flash sale: hold throughput, the crowd holding and paying, sold-out
    rejections, against the empty endpoint and a naive hot-row hold."""
    from boxoffice.bench import run
    from boxoffice.bench.report import lines

    report, json_path = _run(run.sale, kwargs)
    for line in lines(report):
        click.echo(line)
    if json_path:
        json_path.write_text(json.dumps(run.to_json(report), indent=2))
    if chart_path and report.sale is not None:
        from boxoffice.bench.chart import sale_chart

        backend = "PostgreSQL" if report.options["database_url"] else "SQLite"
        title = f"flash sale: {report.sale.fans:,} fans, {backend}, {report.options['workers']} worker(s)"
        click.echo(f"chart: {sale_chart(report.sale, chart_path, title)}")
    if report.totals is not None and not report.totals.ok:
        raise click.ClickException("the final check found an oversold section or a lost ticket")


def _compare(work_name: str, kwargs: dict[str, Any], *extra: Any) -> dict[str, Any]:
    from boxoffice.bench import run
    from boxoffice.bench.report import lines

    reports, json_path = _run(getattr(run, work_name), kwargs, *extra)
    for label, report in reports.items():
        click.echo(f"-- {label}")
        for line in lines(report):
            click.echo(line)
    if json_path:
        json_path.write_text(json.dumps({k: run.to_json(r) for k, r in reports.items()}, indent=2))
    return reports  # type: ignore[no-any-return]


@bench.command()
@_options
def cache(**kwargs: Any) -> None:
    """Availability reads and sold-out rejections, with the cache on and off."""
    _compare("cache", kwargs)


@bench.command()
@_options
def overhead(**kwargs: Any) -> None:
    """The hot endpoints with metrics and logging off, then on."""
    reports = _compare("overhead", kwargs)
    best: dict[str, dict[str, float]] = {"off": {}, "on": {}}
    for label, report in reports.items():
        side = "on" if " on " in label else "off"
        for name, rate in report.rates.items():
            best[side][name] = max(best[side].get(name, 0.0), rate.per_second)
    click.echo("-- cost of metrics + logging (best round of each; throughput lost with them on)")
    for name, off in best["off"].items():
        lost = 1 - best["on"][name] / off if off else 0.0
        click.echo(f"{name:<14} {off:>9,.0f}/s off  {best['on'][name]:>9,.0f}/s on  {lost:>7.1%}")


@bench.command()
@_options
@click.option("--apps", "app_counts", default="1,2,4", show_default=True,
              help="Comma-separated numbers of app processes to try behind HAProxy.")  # fmt: skip
def balancer(app_counts: str, **kwargs: Any) -> None:
    """Hold throughput through HAProxy with 1, 2 and 4 app processes (needs
    PostgreSQL, Redis and haproxy; run from a checkout: it uses deploy/haproxy)."""
    try:
        counts = tuple(int(n) for n in app_counts.split(","))
    except ValueError as exc:
        raise click.BadParameter("give numbers such as 1,2,4", param_hint="--apps") from exc
    if not counts or min(counts) < 1 or max(counts) > 16:
        raise click.BadParameter("each number must be between 1 and 16", param_hint="--apps")
    reports = _compare("balancer", kwargs, counts)
    click.echo("-- holds per second by app processes")
    for label, report in reports.items():
        click.echo(f"{label:<10} {report.rates['holds'].per_second:>8,.0f}/s   empty {report.rates['empty'].per_second:>9,.0f}/s")


@bench.command()
@click.option("--redis-url", required=True, help="A single Redis (redis://host:port/db).")
@click.option("--redis-cluster-url", required=True, help="Any node of a Redis Cluster.")
@click.option("--database-url", required=True,
              help="A PostgreSQL server (postgresql+asyncpg://...); the bench makes and drops its own database.")
@click.option("--pgbouncer-url", required=True,
              help="A PgBouncer (transaction mode) in front of that same server (postgresql+asyncpg://...).")
@click.option("--seconds", default=5.0, show_default=True, type=click.FloatRange(1, 60), help="Length of each phase.")
@click.option("--concurrency", default=32, show_default=True, type=click.IntRange(1, 512))
@click.option("--fans", default=200, show_default=True, type=click.IntRange(1, 10_000))
def fleet(redis_url: str, redis_cluster_url: str, database_url: str, pgbouncer_url: str, seconds: float,
          concurrency: int, fans: int) -> None:  # fmt: skip
    """Redis Cluster against one Redis, PgBouncer against direct connections:
    rates of each, in one run, and their ratio."""
    import os
    import tempfile

    from boxoffice.bench.fleet import database_rates, redis_rates

    def progress(message: str) -> None:
        click.echo(f"  .. {message}", err=True)

    async def work() -> list[str]:
        rates = await redis_rates(redis_url, redis_cluster_url, seconds=seconds, concurrency=concurrency,
                                  progress=progress)  # fmt: skip
        with tempfile.TemporaryDirectory() as data_dir:
            rates += await database_rates(database_url, pgbouncer_url, seconds=seconds, concurrency=concurrency,
                                          fans=fans, data_dir=Path(data_dir), progress=progress)  # fmt: skip
        return [rate.line() for rate in rates]

    lines = asyncio.run(work())
    click.echo(f"{'':<26} {'single/direct':>10} {'cluster/PgB':>10}")
    for line in lines:
        click.echo(line)
    click.echo(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; "
               f"{seconds:g} s per phase, {concurrency} concurrent callers")  # fmt: skip


@bench.command("front-door")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16))
@click.option("--logins", default=200, show_default=True, type=click.IntRange(1, 2000),
              help="Clients logging in at once during the storm.")
@click.option("--fans", default=200, show_default=True, type=click.IntRange(1, 20_000),
              help="Fans in the waiting room whose polls are measured.")
@click.option("--seconds", default=5, show_default=True, type=click.IntRange(1, 60), help="Length of each phase.")
@click.option("--database-url", default=None, help="PostgreSQL for the app (default: SQLite).")
@click.option("--redis-url", default=None, help="Redis for the app (default: in-process).")
def front_door(**kwargs: Any) -> None:
    """Logins/s per worker and the p99 of /healthz and availability during a
    login storm; polls/s of fans far from the front against the empty endpoint,
    with the app's CPU per poll."""
    from boxoffice.bench.frontdoor import front_door as run

    def progress(message: str) -> None:
        click.echo(f"  .. {message}", err=True)

    figures = asyncio.run(run(progress=progress, **kwargs))
    for line in figures.lines():
        click.echo(line)

"""`boxoffice queue ...`: the fairness check and the scale measurement."""

from __future__ import annotations

import asyncio

import click

from boxoffice.waitingroom.store import MemoryQueueStore, QueueStore


@click.group()
def queue() -> None:
    """Check the waiting room: fairness and scale."""


def _store(redis_url: str | None) -> QueueStore:
    if redis_url is None:
        return MemoryQueueStore()
    import uuid

    from boxoffice.waitingroom.redis_store import RedisQueueStore

    return RedisQueueStore.from_url(redis_url, prefix=f"boxoffice-fairness:{uuid.uuid4().hex[:8]}")


@queue.command()
@click.option("--fans", default=1000, show_default=True, type=click.IntRange(10, 100_000))
@click.option("--bots", "bot_share", default=0.1, show_default=True, type=click.FloatRange(0.01, 0.9),
              help="Share of fans that are bots (poll 50x, join from 5 sessions).")  # fmt: skip
@click.option("--late", "late_share", default=0.1, show_default=True, type=click.FloatRange(0, 0.9),
              help="Share of fans arriving after the sale opened.")  # fmt: skip
@click.option("--seed", default=7, show_default=True, help="Seed of the simulation (not of the lottery).")
@click.option("--redis-url", default=None, help="Keep the line on this Redis (default: in-process).")
def fairness(fans: int, bot_share: float, late_share: float, seed: int, redis_url: str | None) -> None:
    """Simulate a sale with bots and report whether anyone gained an edge."""
    from boxoffice.waitingroom.fairness import check_fairness

    async def run() -> list[str]:
        store = _store(redis_url)
        try:
            report = await check_fairness(
                store, fans=fans, bot_share=bot_share, late_share=late_share, seed=seed,
                progress=lambda m: click.echo(f"  .. {m}", err=True),
            )  # fmt: skip
        finally:
            await store.close()
        return report.lines()

    for line in asyncio.run(run()):
        click.echo(line)


@queue.command()
@click.option("--redis-url", required=True, help="The Redis to measure (keys are removed after).")
@click.option("--fans", default=1_000_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--polls", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--concurrency", default=64, show_default=True, type=click.IntRange(1, 1000))
def scale(redis_url: str, fans: int, polls: int, concurrency: int) -> None:
    """Put FANS in one line on Redis; print join/poll/draw cost and memory."""
    from redis.exceptions import RedisError

    from boxoffice.waitingroom.scale import measure_scale

    try:
        report = asyncio.run(
            measure_scale(
                redis_url, fans=fans, polls=polls, concurrency=concurrency,
                progress=lambda m: click.echo(f"  .. {m}", err=True),
            )  # fmt: skip
        )
    except (RedisError, OSError) as exc:
        raise click.ClickException(f"Cannot use Redis at {redis_url}: {exc}") from exc
    for line in report.lines():
        click.echo(line)

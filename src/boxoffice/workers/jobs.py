"""The background jobs and the loop that runs them under a lease.

Correctness never waits for these jobs (holds expire by themselves; the
admitter's cursor moves by compare-and-set), so the lease is about doing the
work once, not about safety: exactly one instance sweeps and admits at a
time, and another takes over within `ttl` when it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from boxoffice.bootstrap import Container
from boxoffice.workers.lease import Lease, LocalLease, RedisLease

log = logging.getLogger("boxoffice.workers")


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: float  # seconds between rounds
    work: Callable[[], Awaitable[int]]  # returns how many things it did
    ttl: float = 15.0  # the lease outlives a round; renewed while a round runs


def jobs_of(container: Container, sweep_every: float) -> list[Job]:
    jobs = [
        Job("sweep-holds", sweep_every, container.holds.sweep),
        Job("admit", container.settings.admit_every_seconds, container.waiting_room.admit_all),
        Job("outbox", container.settings.outbox_every_seconds, container.outbox.run_once, ttl=60.0),
        Job("send-refunds", sweep_every, container.refunds.send_pending),
        Job("waitlist-offers", sweep_every, container.waitlist.offer),
    ]
    if container.pix is not None:  # ask the provider about payments left pending
        jobs.append(Job("reconcile-payments", container.settings.pix_reconcile_every_seconds,
                        container.payments.reconcile))  # fmt: skip
    return jobs


def lease_for(container: Container) -> Lease:
    url = container.settings.redis_url
    return RedisLease.from_url(url, cluster=container.settings.redis_cluster) if url else LocalLease()


async def run_rounds(job: Job, lease: Lease, rounds: int | None = None) -> None:
    """Run `job` every `job.every` seconds, each round only while holding its lease."""
    done = 0
    while rounds is None or done < rounds:
        await asyncio.sleep(job.every)
        await run_round(job, lease)
        done += 1


async def run_round(job: Job, lease: Lease) -> bool:
    """One round if this instance holds the lease; False if another one does."""
    if not await lease.acquire(job.name, job.ttl):
        return False
    keepalive = asyncio.create_task(_renew(job, lease))
    try:
        did = await job.work()
        if did:
            log.info("%s: %d", job.name, did)
    except Exception:  # keep going; the next round retries
        log.exception("background job %s failed", job.name)
    finally:
        keepalive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keepalive
    return True


async def _renew(job: Job, lease: Lease) -> None:
    """A long round (the lottery draw of a million fans) keeps its lease."""
    while True:
        await asyncio.sleep(job.ttl / 3)
        await lease.acquire(job.name, job.ttl)

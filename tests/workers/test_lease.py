"""Background jobs run on one instance at a time, and another takes over when
the holder dies (its lease expires), on the real Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from boxoffice.workers.jobs import Job, run_round
from boxoffice.workers.lease import LocalLease, RedisLease
from tests.waitingroom.conftest import redis_or_fail


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = await redis_or_fail()
    yield client
    await client.aclose()


def _leases(redis: aioredis.Redis, n: int) -> list[RedisLease]:
    prefix = f"boxoffice-test-lease:{uuid.uuid4().hex}"
    return [RedisLease(redis, prefix=prefix) for _ in range(n)]


async def test_one_holder_at_a_time_and_it_renews(redis: aioredis.Redis) -> None:
    first, second = _leases(redis, 2)
    assert await first.acquire("admit", 30)
    assert not await second.acquire("admit", 30)
    assert await first.acquire("admit", 30)  # the holder renews
    assert await second.acquire("sweep", 30)  # other jobs are other leases
    await second.release("admit")  # not its lease: nothing happens
    assert not await second.acquire("admit", 30)
    await first.release("admit")
    assert await second.acquire("admit", 30)


async def test_another_instance_takes_over_when_the_holder_stops_renewing(
    redis: aioredis.Redis,
) -> None:
    dead, alive = _leases(redis, 2)
    assert await dead.acquire("admit", 0.05)
    deadline = time.monotonic() + 5
    while not await alive.acquire("admit", 30):  # the lease runs out on the server
        assert time.monotonic() < deadline, "the lease never expired"
        await asyncio.sleep(0.01)
    assert not await dead.acquire("admit", 30)  # the old holder is out


async def test_racing_instances_run_a_round_once(redis: aioredis.Redis) -> None:
    leases = _leases(redis, 4)
    ran: list[int] = []

    async def work() -> int:
        ran.append(1)
        await asyncio.sleep(0)
        return 1

    job = Job("admit", every=1, work=work)
    took = await asyncio.gather(*(run_round(job, lease) for lease in leases))
    assert sorted(took) == [False, False, False, True]
    assert ran == [1]


async def test_a_failing_round_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> int:
        raise RuntimeError("database down")

    assert await run_round(Job("sweep", every=1, work=broken), LocalLease())
    assert "background job sweep failed" in caplog.text


async def test_without_redis_nobody_holds_the_lease() -> None:
    lease = RedisLease(aioredis.Redis(port=1, socket_connect_timeout=0.2))
    try:
        assert not await lease.acquire("admit", 10)
    finally:
        await lease.close()

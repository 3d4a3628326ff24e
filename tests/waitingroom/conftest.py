"""Fixtures for the waiting room: a show whose sale opens in an hour, its room
opening now, and queue stores (in-process, and on the real Redis)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.redisclient import redis_client
from boxoffice.waitingroom.redis_store import RedisQueueStore
from boxoffice.waitingroom.service import RoomSettings
from boxoffice.waitingroom.store import MemoryQueueStore, QueueStore
from tests.support import IN_CI, T0, Fan, make_container, organiser, settings_for, show_spec

REDIS_URL = "redis://127.0.0.1:6379/0"
SALE_OPENS = T0 + timedelta(hours=1)


@pytest.fixture
async def future_show(container: Container) -> Show:
    return await container.inventory.create_show(show_spec(opens=SALE_OPENS, ga_capacity=500))


@pytest.fixture
async def admin(container: Container, client: httpx.AsyncClient) -> Fan:
    return await organiser(container, client)


async def open_room(
    container: Container, show: Show, *, per_minute: int = 60, max_active: int | None = None,
    window_minutes: float = 10,
) -> None:  # fmt: skip
    """Turn the room on, opening at the fake clock's now."""
    await container.waiting_room.configure(
        show.id,
        RoomSettings(True, container.clock.now(), per_minute, max_active, window_minutes),
    )


async def redis_or_fail() -> aioredis.Redis:
    redis = aioredis.Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except OSError as exc:
        await redis.aclose()
        message = f"Redis not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return redis


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[QueueStore]:
    """The line in-process, on one Redis, and on a 3-primary Redis Cluster
    (each show's keys in one slot, every script on that slot)."""
    if request.param == "memory":
        yield MemoryQueueStore()
        return
    if request.param == "redis-cluster":
        cluster = request.getfixturevalue("redis_cluster")
        redis: Any = redis_client(cluster.url, cluster=True)
    else:
        redis = await redis_or_fail()
    prefix = f"boxoffice-test:{uuid.uuid4().hex}"
    yield RedisQueueStore(redis, prefix=prefix)
    keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@contextlib.asynccontextmanager
async def app_with(
    tmp_path: Path, database_url: str, clock: FakeClock, **settings: str
) -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    """A second app on the same database, with other settings (e.g. tight rate
    limits). Ask for the `container` fixture too: it prepares the database."""
    from boxoffice.web.app import create_app

    container = make_container(settings_for(tmp_path, database_url, **settings), clock)
    # Counters start at zero even when they live in a shared Redis (CI's
    # cluster pass takes BOXOFFICE_REDIS_URL from the environment).
    await container.limits.reset()
    try:
        transport = httpx.ASGITransport(app=create_app(container, sweep_every=None))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield container, client
    finally:
        await container.close()

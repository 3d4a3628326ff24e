"""The caches on a real Redis: shared by two app instances, and surviving an
outage mid-sale (slower, never wrong), recovering by themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.cache.redis import RedisCache
from boxoffice.clock import FakeClock
from boxoffice.storage.migrate import migrate
from boxoffice.web.app import create_app
from tests.integration.redis_server import RedisServer, redis_server  # noqa: F401 - the fixture
from tests.support import Fan, make_container, organiser, settings_for, show_spec, sign_up


@pytest.fixture
async def pair(
    container: Container, redis_server: RedisServer, database_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two app instances on one database and one Redis (the `container` fixture
    prepared the database)."""
    apps = []
    for _ in range(2):
        settings = settings_for(tmp_path, database_url, redis_url=redis_server.url)
        instance = make_container(settings, clock, cache=RedisCache(redis_server.url, retry_every=0))
        if instance.database.is_sqlite:
            await migrate(instance.database)
        apps.append(instance)
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(create_app(c, sweep_every=None)), base_url="http://app")
        for c in apps
    ]
    yield clients[0], clients[1]
    for c, instance in zip(clients, apps, strict=True):
        await c.aclose()
        await instance.close()


async def _available(client: httpx.AsyncClient, show_id: str) -> int:
    return (await client.get(f"/api/v1/shows/{show_id}/availability")).json()["sections"][0]["available"]


async def test_two_instances_share_availability_and_sessions(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], container: Container, clock: FakeClock
) -> None:
    a, b = pair
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    pista = show.sections[0]
    assert await _available(b, show.id) == 10
    fan_a = await sign_up(a)
    assert (await fan_a.hold(show.id, pista.id, quantity=3)).status_code == 201
    await container_of(a).tickets.settle()  # A's rebuild has landed in Redis
    clock.advance(seconds=1)  # B reuses its ready answer for at most BOXOFFICE_LOCAL_CACHE_SECONDS
    assert await _available(b, show.id) == 7  # then sees A's hold, via Redis

    fan_b = Fan(b, fan_a.token, fan_a.email)  # the same session, used on instance B
    assert (await fan_b.get("/api/v1/me")).status_code == 200
    assert (await fan_a.post("/api/v1/auth/logout")).status_code == 204
    assert (await fan_b.get("/api/v1/me")).status_code == 401  # revoked everywhere


async def test_redis_outage_mid_sale_is_slower_never_wrong(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], container: Container, redis_server: RedisServer,
    clock: FakeClock,
) -> None:
    a, b = pair
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    pista = show.sections[0]
    fan = await sign_up(a)
    assert (await fan.hold(show.id, pista.id, quantity=2)).status_code == 201
    await container_of(a).tickets.settle()  # A's rebuild has landed in Redis
    assert await _available(b, show.id) == 8

    redis_server.stop()
    ready = (await a.get("/readyz")).json()
    assert ready["status"] == "degraded" and ready["checks"]["cache"]["status"] == "degraded"
    assert ready["checks"]["queue_store"]["status"] == "degraded"
    assert ready["checks"]["database"]["status"] == "ok"
    other = await sign_up(a)
    held = await other.hold(show.id, pista.id, quantity=4)
    assert held.status_code == 201, held.text
    assert (await other.pay(held.json()["hold_id"], key="during-outage")).status_code == 201
    clock.advance(seconds=1)  # past B's ready answer (BOXOFFICE_LOCAL_CACHE_SECONDS)
    assert await _available(a, show.id) == 4 and await _available(b, show.id) == 4

    redis_server.start()  # an empty Redis: it lost everything
    ready = (await b.get("/readyz")).json()
    assert ready["status"] == "ready", ready
    assert {check["status"] for check in ready["checks"].values()} == {"ok"}
    assert await _available(b, show.id) == 4
    assert (await fan.hold(show.id, pista.id, quantity=2)).status_code == 201
    assert await _available(a, show.id) == 2


async def test_waiting_room_reads_answer_while_its_store_is_down(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], container: Container, redis_server: RedisServer,
) -> None:
    """The organiser's view of a room and the public lottery (commitment, and
    the published draw) are in the database: they answer while Redis is down."""
    a, _ = pair
    show = await container.inventory.create_show(show_spec())
    boss = await organiser(container_of(a), a)
    room = {"enabled": True, "opens_at": "2029-12-31T00:00:00Z", "admit_per_minute": 60}
    assert (await boss.client.put(f"/api/v1/admin/shows/{show.id}/waiting-room", json=room,
                                  headers=boss.auth)).status_code == 200  # fmt: skip
    paths = [f"/api/v1/admin/shows/{show.id}/waiting-room", f"/api/v1/shows/{show.id}/queue/lottery"]
    for path in paths:
        assert (await boss.get(path)).status_code == 200, path

    redis_server.stop()
    for path in paths:
        r = await boss.get(path)
        assert r.status_code == 200, (path, r.text)

    redis_server.start()
    for path in paths:
        assert (await boss.get(path)).status_code == 200, path


async def test_stale_entries_from_before_an_outage_are_flushed_on_recovery(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], container: Container, redis_server: RedisServer,
    clock: FakeClock,
) -> None:
    """Redis keeps its data across a network blip; what changed meanwhile must not be served."""
    a, _ = pair
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    assert await _available(a, show.id) == 10
    cache = container_cache(a)
    # Instance A loses Redis (a blip on its side only); Redis keeps "10 available".
    cache._mark_down(ConnectionError("simulated blip"))  # type: ignore[attr-defined]
    cache._retry_at = float("inf")  # type: ignore[attr-defined]
    fan = await sign_up(a)
    assert (await fan.hold(show.id, show.sections[0].id, quantity=4)).status_code == 201
    assert await _available(a, show.id) == 6  # served from the database meanwhile
    cache._retry_at = 0  # type: ignore[attr-defined]  # the blip is over
    clock.advance(seconds=1)  # past A's own ready answer: the next read goes to Redis
    assert await _available(a, show.id) == 6  # not the stale 10 still in Redis
    assert not cache.is_down


def container_of(client: httpx.AsyncClient) -> Container:
    return client._transport.app.state.container  # type: ignore[attr-defined, no-any-return]


def container_cache(client: httpx.AsyncClient) -> RedisCache:
    cache = container_of(client).cache
    cache = getattr(cache, "inner", cache)  # under the metrics wrapper
    assert isinstance(cache, RedisCache)
    return cache


async def test_a_waiting_room_switched_on_elsewhere_is_enforced_here_within_the_local_ttl(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], container: Container, clock: FakeClock
) -> None:
    """Fairness across processes: B turns the room on; A, which had the show's
    room settings in its process cache, demands an admission token once that
    copy is at most BOXOFFICE_LOCAL_CACHE_SECONDS old."""
    a, b = pair
    show = await container.inventory.create_show(show_spec(opens=clock.now() + timedelta(hours=1)))
    fan = await sign_up(a)
    before = await fan.hold(show.id, show.sections[0].id, quantity=1)
    assert before.json()["error"]["code"] == "sale_not_open"  # past the admission check: no room
    boss = await organiser(container, b)
    room = {"enabled": True, "opens_at": clock.now().isoformat(), "admit_per_minute": 60}
    assert (await boss.client.put(f"/api/v1/admin/shows/{show.id}/waiting-room", json=room,
                                  headers=boss.auth)).status_code == 200  # fmt: skip
    clock.advance(seconds=container.settings.local_cache_seconds)
    after = await fan.hold(show.id, show.sections[0].id, quantity=1)
    assert after.status_code == 403, after.text  # no admission token: refused before the sale

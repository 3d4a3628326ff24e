"""Every Redis use on a real Redis Cluster (3 primaries): caches, sessions,
rate limits, job leases and the waiting line, and a sale that stays correct
while one primary is killed and comes back empty (slower, never wrong)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis

from boxoffice.bootstrap import Container
from boxoffice.cache.redis import RedisCache
from boxoffice.clock import FakeClock
from boxoffice.errors import RateLimited
from boxoffice.ratelimit import RateLimits
from boxoffice.redisclient import redis_client
from boxoffice.storage.migrate import migrate
from boxoffice.waitingroom.redis_store import RedisQueueStore
from boxoffice.web.app import create_app
from boxoffice.workers.lease import RedisLease
from tests.integration.redis_cluster import RedisClusterNodes
from tests.integration.test_concurrency import _totals
from tests.support import T0, Fan, make_container, many_fans, settings_for, show_spec


async def test_leases_limits_caches_and_the_line_share_the_cluster(redis_cluster: RedisClusterNodes) -> None:
    url = redis_cluster.url
    one, two = RedisLease.from_url(url, cluster=True), RedisLease.from_url(url, cluster=True)
    assert await one.acquire("cluster-test-job", 5) and not await two.acquire("cluster-test-job", 5)
    await one.release("cluster-test-job")
    assert await two.acquire("cluster-test-job", 5)
    await two.release("cluster-test-job")

    rates = {"hold": "3/minute"}
    first, second = RateLimits(rates, url, redis_cluster=True), RateLimits(rates, url, redis_cluster=True)
    key = f"cluster-{T0.timestamp()}-{id(first)}"
    for limits in (first, second, first):  # shared counters: three hits from two processes
        await limits.hit("hold", key)
    with pytest.raises(RateLimited):
        await second.hit("hold", key)

    cache = RedisCache(url, cluster=True, prefix=f"cluster-test-{id(first)}:")
    for i in range(30):  # spread over every primary
        await cache.set(f"k{i}", b"v", 5)
    assert await cache.get("k7") == b"v"
    await cache._flush()  # the flush after an outage reaches every primary
    assert [await cache.get(f"k{i}") for i in range(30)] == [None] * 30

    store = RedisQueueStore(redis_client(url, cluster=True), prefix="cluster-test-wr")
    await store.join("show-a", "fan-1", T0)
    await store.join("show-a", "fan-2", T0 + timedelta(seconds=1))
    direct = redis.RedisCluster(host="127.0.0.1", port=redis_cluster.ports[0])
    try:
        keys = direct.keys("cluster-test-wr:*")
        assert keys and len({direct.keyslot(k) for k in keys}) == 1  # one show, one slot
    finally:
        direct.close()
    for closing in (one, two, cache, store):
        await closing.close()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[RedisClusterNodes]:
    """A cluster of this test's own: it kills one of its primaries."""
    cluster = RedisClusterNodes(tmp_path / "cluster")
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
async def app(
    container: Container, nodes: RedisClusterNodes, database_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    settings = settings_for(tmp_path, database_url, redis_url=nodes.url, redis_cluster=True)
    instance = make_container(settings, clock, cache=RedisCache(nodes.url, cluster=True, retry_every=0))
    if instance.database.is_sqlite:
        await migrate(instance.database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(create_app(instance, sweep_every=None)), base_url="http://app"
    ) as client:
        yield instance, client
    await instance.close()


async def _buy(fan: Fan, show_id: str, section_id: str) -> tuple[int, str]:
    """Hold one ticket and pay; a `busy` answer is retried, as a client would."""
    for attempt in range(20):
        r = await fan.hold(show_id, section_id, key=f"hold-{fan.email}", quantity=1)
        if r.status_code == 201:
            o = await fan.pay(r.json()["hold_id"], key=f"order-{fan.email}")
            if o.status_code == 201:
                return 201, o.json()["order_id"]
            r = o
        if r.status_code != 503:
            return r.status_code, r.json()["error"]["code"]
        await asyncio.sleep(0.05 * attempt)
    return 503, "busy"


async def test_a_sale_stays_correct_while_a_cluster_node_restarts(
    app: tuple[Container, httpx.AsyncClient], container: Container, nodes: RedisClusterNodes, clock: FakeClock
) -> None:
    instance, client = app
    show = await instance.inventory.create_show(show_spec(ga_capacity=30))
    pista = show.sections[0]
    fans = await many_fans(instance, client, 60)
    victim = nodes.node_for(f"boxoffice:avail:{show.id}")  # the node with the show's availability
    results: list[tuple[int, str]] = []

    results += await asyncio.gather(*(_buy(f, show.id, pista.id) for f in fans[:20]))
    nodes.kill(victim)
    results += await asyncio.gather(*(_buy(f, show.id, pista.id) for f in fans[20:40]))
    ready = (await client.get("/readyz")).json()
    assert ready["checks"]["cache"]["status"] == "degraded" and ready["checks"]["database"]["status"] == "ok"
    nodes.restart(victim)  # back, and empty
    results += await asyncio.gather(*(_buy(f, show.id, pista.id) for f in fans[40:]))

    outcomes = Counter(code if status != 201 else "paid" for status, code in results)
    assert outcomes == {"paid": 30, "sold_out": 30}, outcomes
    totals = await _totals(container, pista.id)
    assert (totals["sold"], totals["held"], totals["tickets"]) == (30, 0, 30)
    clock.advance(seconds=5)  # past every cached answer
    answer = (await client.get(f"/api/v1/shows/{show.id}/availability")).json()
    assert answer["sections"][0]["available"] == 0
    assert len({order_id for status, order_id in results if status == 201}) == 30

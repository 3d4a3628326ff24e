"""The hold's two rate limits (per account, per IP) counted in one Redis
script on a real Redis: the library's moving window on the library's own keys,
all or none, shared by every process, and counted per process while Redis is
down."""

from __future__ import annotations

import pytest
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from boxoffice.errors import RateLimited
from boxoffice.ratelimit import RateLimits
from tests.integration.redis_server import RedisServer, redis_server  # noqa: F401 - the fixture

RATES = {"hold": "3/minute", "ip": "5/minute"}


async def test_two_limits_in_one_call_are_shared_and_counted_all_or_none(redis_server: RedisServer) -> None:
    one, two = RateLimits(RATES, redis_server.url), RateLimits(RATES, redis_server.url)
    try:
        for limits in (one, two, one):  # two processes, shared counters
            await limits.hit_together(("hold", "fan-a"), ("ip", "10.0.0.1"))
        with pytest.raises(RateLimited) as refused:  # fan-a's fourth hold this minute
            await two.hit_together(("hold", "fan-a"), ("ip", "10.0.0.1"))
        assert 1 <= refused.value.details["retry_after"] <= 60
        # the refusal counted nothing: the IP has room for exactly two more
        await one.hit_together(("hold", "fan-b"), ("ip", "10.0.0.1"))
        await two.hit_together(("hold", "fan-c"), ("ip", "10.0.0.1"))
        with pytest.raises(RateLimited):
            await one.hit_together(("hold", "fan-d"), ("ip", "10.0.0.1"))
        # the library reads the same windows: what `hit` and its stats would say
        library = one._shared
        assert library is not None
        stats = await library.get_window_stats(parse(RATES["ip"]), "ip", "10.0.0.1")
        assert stats.remaining == 0
        assert not await library.test(parse(RATES["hold"]), "hold", "fan-a")
        assert await library.test(parse(RATES["hold"]), "hold", "fan-b")
        with pytest.raises(RateLimited):
            await one.hit("ip", "10.0.0.1")  # the library's own hit sees the script's entries
    finally:
        await one.close()
        await two.close()


async def test_while_redis_is_down_each_process_counts_alone(redis_server: RedisServer) -> None:
    limits = RateLimits(RATES, redis_server.url)
    try:
        await limits.hit_together(("hold", "fan-a"), ("ip", "10.0.0.2"))
        redis_server.stop()
        for _ in range(3):  # per process now: a fresh count, never open
            await limits.hit_together(("hold", "fan-a"), ("ip", "10.0.0.2"))
        with pytest.raises(RateLimited):
            await limits.hit_together(("hold", "fan-a"), ("ip", "10.0.0.2"))
    finally:
        await limits.close()


async def test_without_redis_the_pairs_are_counted_in_process() -> None:
    limits = RateLimits(RATES)
    for i in range(5):
        await limits.hit_together(("hold", f"fan-{i}"), ("ip", "10.0.0.3"))
    with pytest.raises(RateLimited):
        await limits.hit_together(("hold", "fan-x"), ("ip", "10.0.0.3"))
    assert isinstance(limits._local, MovingWindowRateLimiter)

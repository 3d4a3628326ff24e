"""The per-process ready answers: bounded by their TTL, by the snapshot's own
exactness, and dropped at once by a change made through this process."""

from __future__ import annotations

from datetime import timedelta

from boxoffice.cache.local import LocalCache
from boxoffice.clock import FakeClock
from tests.support import T0


async def test_answers_live_at_most_their_ttl() -> None:
    clock = FakeClock(T0)
    local = LocalCache(clock, ttl=1.0)
    local.put("show", "availability", b"10 left")
    clock.advance(seconds=0.9)
    assert local.get("show", "availability") == b"10 left"
    clock.advance(seconds=0.1)
    assert local.get("show", "availability") is None


async def test_never_past_the_snapshots_exactness() -> None:
    clock = FakeClock(T0)
    local = LocalCache(clock, ttl=1.0)
    local.put("show", "availability", b"3 left", exact_until=T0 + timedelta(seconds=0.2))  # a hold expires then
    clock.advance(seconds=0.2)
    assert local.get("show", "availability") is None


async def test_a_change_here_drops_that_show_only() -> None:
    clock = FakeClock(T0)
    local = LocalCache(clock, ttl=1.0)
    local.put("a", "availability", b"a")
    local.put("b", "availability", b"b")
    local.drop("a")
    assert local.get("a", "availability") is None
    assert local.get("b", "availability") == b"b"


async def test_zero_seconds_turns_it_off() -> None:
    local = LocalCache(FakeClock(T0), ttl=0)
    local.put("show", "availability", b"x")
    assert not local.enabled and local.get("show", "availability") is None


async def test_a_ticket_change_drops_the_answers_but_keeps_the_show() -> None:
    local = LocalCache(FakeClock(T0), ttl=1.0)
    for name in ("show", "snapshot", "availability"):
        local.put("s1", name, name)
        local.put("s2", name, name)
    local.drop("s1", "snapshot", "availability")
    assert [local.get("s1", n) for n in ("show", "snapshot", "availability")] == ["show", None, None]
    local.drop("s2")
    assert [local.get("s2", n) for n in ("show", "snapshot", "availability")] == [None, None, None]

"""Cache rebuilds coalesce: one in flight per key, one more if asked meanwhile,
and a reader always gets a rebuild that started after it asked."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError

from boxoffice.cache.tickets import Coalescer
from boxoffice.storage.locking import is_lock_timeout


class Rebuild:
    def __init__(self) -> None:
        self.runs = 0
        self.gate = asyncio.Event()

    async def __call__(self) -> int:
        self.runs += 1
        run = self.runs
        await self.gate.wait()
        return run


async def test_many_changes_during_a_rebuild_cost_one_more_rebuild() -> None:
    flights, rebuild = Coalescer(), Rebuild()
    flights.kick("k", rebuild)
    await asyncio.sleep(0)  # the first rebuild is now in flight
    for _ in range(100):
        flights.kick("k", rebuild)
    rebuild.gate.set()
    await flights.settle()
    assert rebuild.runs == 2


async def test_a_reader_gets_a_rebuild_that_started_after_it_asked() -> None:
    flights, rebuild = Coalescer(), Rebuild()
    flights.kick("k", rebuild)
    await asyncio.sleep(0)  # run 1 started before the reader came
    reader = asyncio.create_task(flights.join("k", rebuild))
    await asyncio.sleep(0)
    rebuild.gate.set()
    assert await reader == 2
    await flights.settle()
    assert rebuild.runs == 2


async def test_keys_rebuild_independently() -> None:
    flights, one, two = Coalescer(), Rebuild(), Rebuild()
    one.gate.set()
    two.gate.set()
    assert await flights.join("a", one) == 1
    assert await flights.join("b", two) == 1
    assert await flights.join("a", one) == 2


def test_a_connection_lost_mid_request_is_retryable() -> None:
    lost = DBAPIError("SELECT 1", {}, ConnectionResetError("gone"), connection_invalidated=True)
    other = DBAPIError("SELECT 1", {}, ValueError("syntax"))
    assert is_lock_timeout(lost)
    assert not is_lock_timeout(other)


class FakeTime:
    """A monotonic timer the test moves, and a sleep that records the wait and
    moves it: the gap between rebuilds without real waiting."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.waits: list[float] = []

    def timer(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _gapped(time: FakeTime) -> Coalescer:
    return Coalescer(0.05, timer=time.timer, sleep=time.sleep)


async def test_reruns_start_no_sooner_than_the_gap_after_the_run_before() -> None:
    time, rebuild = FakeTime(100.0), Rebuild()
    flights = _gapped(time)
    flights.kick("k", rebuild)
    await asyncio.sleep(0)
    time.now += 0.01  # the first rebuild took 10 ms; changes kept coming meanwhile
    for _ in range(100):
        flights.kick("k", rebuild)
    rebuild.gate.set()
    await flights.settle()
    assert rebuild.runs == 2
    assert time.waits == [pytest.approx(0.04)]  # 50 ms from the first run's start


async def test_no_wait_when_the_rebuild_itself_took_longer_than_the_gap() -> None:
    time, rebuild = FakeTime(0.0), Rebuild()
    flights = _gapped(time)
    flights.kick("k", rebuild)
    await asyncio.sleep(0)
    time.now += 0.2
    flights.kick("k", rebuild)
    rebuild.gate.set()
    await flights.settle()
    assert rebuild.runs == 2 and time.waits == []


async def test_a_kick_soon_after_a_finished_rebuild_waits_out_the_gap() -> None:
    time, rebuild = FakeTime(50.0), Rebuild()
    flights = _gapped(time)
    rebuild.gate.set()
    await flights.join("k", rebuild)  # the first run of a key never waits
    time.now += 0.02
    assert await flights.join("k", rebuild) == 2
    time.now += 1.0
    assert await flights.join("k", rebuild) == 3
    assert time.waits == [pytest.approx(0.03)]


async def test_a_key_prefix_can_have_a_gap_of_its_own() -> None:
    """Seat maps (a row per seat) are rebuilt less often than availability."""
    time, availability, seats = FakeTime(10.0), Rebuild(), Rebuild()
    flights = Coalescer(0.05, timer=time.timer, sleep=time.sleep, gaps={"seats": 0.25})
    availability.gate.set()
    seats.gate.set()
    await flights.join("avail:show", availability)
    await flights.join("seats:section", seats)
    time.now += 0.01
    await flights.join("avail:show", availability)
    await flights.join("seats:section", seats)
    # 10 ms after each began: availability waits 40 ms, then (50 ms after the seat map's start) 200 ms
    assert time.waits == [pytest.approx(0.04), pytest.approx(0.20)]

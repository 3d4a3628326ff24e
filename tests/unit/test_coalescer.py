"""Cache rebuilds coalesce: one in flight per key, one more if asked meanwhile,
and a reader always gets a rebuild that started after it asked."""

from __future__ import annotations

import asyncio

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

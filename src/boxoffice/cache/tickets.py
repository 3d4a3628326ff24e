"""The ticket cache: availability, seat maps and show definitions, and the
sold-out gate in front of the hold path.

Freshness does not come from a long TTL:
- every change that moves availability (hold, release, sale, expiry reclaim,
  organiser edit) drops the snapshot right after its commit and starts its
  rebuild (`changed`); in a flash sale a thousand holds a second coalesce into
  one rebuild in flight per show and process, plus one more if changes arrived
  meanwhile, and readers who miss wait for that rebuild instead of each
  querying the database (no stampede);
- a snapshot knows when the next live hold expires (`exact_until`) and is
  treated as a miss from that instant, so expired holds reopen sales at once;
- rebuilds of one show in one process start at least `rebuild_gap` apart
  (default 50 ms), so a sale's torrent of holds costs a few rebuilds a second,
  not one each; a seat map, a row per seat, at least `seat_rebuild_gap` apart
  (default 250 ms: the gate learns the seats its own process takes at once,
  and the database decides every seat anyway);
- a short TTL (default 2 s) bounds what a lost update or a racing writer can
  leave behind.
The gate only ever refuses early ("sold out"); a sale is decided by the database.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from boxoffice.cache import codec
from boxoffice.cache.base import Cache
from boxoffice.cache.local import LocalCache
from boxoffice.clock import Clock
from boxoffice.errors import DomainError, NotFound, SeatsUnavailable, SoldOut
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import AvailabilitySnapshot, Seat, SeatStatus, Section, SectionKind, Show
from boxoffice.inventory.service import InventoryService

SHOW_TTL = 60.0
log = logging.getLogger("boxoffice.cache")


class Coalescer:
    """One rebuild per key in flight; a change during it asks for one more run.
    A run starts no sooner than `min_gap` seconds after the key's run before:
    in a flash sale every hold is a change, and without the gap each process
    would rebuild a show's availability once per hold."""

    def __init__(
        self, min_gap: float = 0.0, *, timer: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, gaps: dict[str, float] | None = None,
    ) -> None:  # fmt: skip
        self._running: dict[str, asyncio.Task[Any]] = {}
        self._again: set[str] = set()
        self._started: dict[str, float] = {}  # when each key's last rebuild began
        self._min_gap = min_gap
        self._gaps = gaps or {}  # key prefix -> its own least gap
        self._timer = timer
        self._sleep = sleep

    def kick(self, key: str, rebuild: Callable[[], Awaitable[Any]]) -> asyncio.Task[Any]:
        task = self._running.get(key)
        if task is not None:
            self._again.add(key)
            return task
        task = asyncio.create_task(self._run(key, rebuild))
        task.add_done_callback(_log_failure)
        self._running[key] = task
        return task

    def in_flight(self, key: str) -> bool:
        """Whether a rebuild of `key` is running or due (waiting out its gap)."""
        return key in self._running

    def outdated(self, key: str) -> bool:
        """Whether a change asked for another rebuild of `key` after the running one began."""
        return key in self._again

    async def join(self, key: str, rebuild: Callable[[], Awaitable[Any]]) -> Any:
        """The result of a rebuild that started after this call: a rebuild
        already in flight may have read the database before the caller's "now",
        so it runs once more and every reader waiting meanwhile shares that run."""
        return await asyncio.shield(self.kick(key, rebuild))

    async def settle(self) -> None:
        """Wait until no rebuild is in flight (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _run(self, key: str, rebuild: Callable[[], Awaitable[Any]]) -> Any:
        try:
            while True:
                gap = self._gaps.get(key.partition(":")[0], self._min_gap)
                wait = gap - (self._timer() - self._started.get(key, -math.inf))
                if wait > 0:
                    await self._sleep(wait)
                self._again.discard(key)
                self._started[key] = self._timer()
                result = await rebuild()
                if key not in self._again:
                    return result
        finally:
            self._running.pop(key, None)
            self._again.discard(key)


def _log_failure(task: asyncio.Task[Any]) -> None:
    """A rebuild that failed for a reason worth an operator's look (a bad
    request, e.g. the seat map of a GA section, is the reader's answer)."""
    if not task.cancelled() and not isinstance(task.exception(), DomainError | type(None)):
        log.warning("cache rebuild failed: %s", task.exception())


class TicketCache:
    def __init__(
        self, cache: Cache, inventory: InventoryService, clock: Clock, ttl: float = 2.0,
        local: LocalCache | None = None, rebuild_gap: float = 0.0, seat_rebuild_gap: float | None = None,
    ) -> None:  # fmt: skip
        self._cache = cache
        self._inventory = inventory
        self._clock = clock
        self._ttl = ttl
        self.local = local or LocalCache(clock, 0)
        self.hits = 0
        self.misses = 0
        # A numbered section's seat map costs ~10x an availability snapshot to
        # rebuild (a row per seat), and every seat hold or sale asks for one.
        seats_gap = rebuild_gap if seat_rebuild_gap is None else seat_rebuild_gap
        self._rebuilds = Coalescer(rebuild_gap, gaps={"seats": seats_gap})
        # The last snapshot of each show this process saw, for the sold-out gate
        # while the shared copy is being rebuilt (see `check`).
        self._last: dict[str, AvailabilitySnapshot] = {}
        # What this process knows of each numbered section's taken seats, for
        # the gate: from the last seat map it built or read, plus the seats its
        # own holds took since (see `taken`).
        self._seats: dict[str, SeatKnowledge] = {}

    # -- reads ------------------------------------------------------------

    async def show(self, show_id: str) -> Show:
        near = self.local.get(show_id, "show")
        if near is not None:
            return near  # type: ignore[no-any-return]
        raw = await self._cache.get(f"show:{show_id}")
        if raw is not None:
            self.hits += 1
            show = codec.show_from_json(raw)
        else:
            self.misses += 1
            show = await self._inventory.show(show_id)
            await self._cache.set(f"show:{show_id}", codec.show_to_json(show), SHOW_TTL)
        self.local.put(show_id, "show", show)
        return show

    async def availability(self, show_id: str) -> AvailabilitySnapshot:
        snapshot = await self._cached_availability(show_id)
        if snapshot is not None:
            return snapshot
        return await self._rebuilds.join(
            f"avail:{show_id}", lambda: self._refresh_availability(show_id)
        )  # type: ignore[no-any-return]

    async def _cached_availability(self, show_id: str) -> AvailabilitySnapshot | None:
        near = self.local.get(show_id, "snapshot")
        if near is not None:
            return near  # type: ignore[no-any-return]
        if self._rebuilds.in_flight(f"avail:{show_id}"):
            self.misses += 1  # a change made here is not in the shared copy yet
            return None
        raw = await self._cache.get(f"avail:{show_id}")
        if raw is not None:
            snapshot = codec.availability_from_json(raw)
            if snapshot.is_exact_at(self._clock.now()):
                self.hits += 1
                self.local.put(show_id, "snapshot", snapshot, snapshot.exact_until)
                self._last[show_id] = snapshot
                return snapshot
        self.misses += 1
        return None

    async def seat_map(self, show_id: str, section_id: str) -> tuple[Section, list[Seat]]:
        section = (await self.show(show_id)).section(section_id)
        seats = await self._cached_seats(section)
        if seats is not None:
            return section, seats
        return await self._rebuilds.join(
            f"seats:{section_id}", lambda: self._refresh_seats(show_id, section_id)
        )  # type: ignore[no-any-return]

    async def _cached_seats(self, section: Section) -> list[Seat] | None:
        found = await self._cached_seats_until(section)
        return None if found is None else found[0]

    async def _cached_seats_until(self, section: Section) -> tuple[list[Seat], datetime | None] | None:
        """The shared seat map and until when it is exact, if it is now."""
        if self._rebuilds.in_flight(f"seats:{section.id}"):
            self.misses += 1  # a change made here is not in the shared copy yet
            return None
        raw = await self._cache.get(f"seats:{section.id}")
        if raw is not None and section.kind is SectionKind.SEATED:
            seats, until = codec.seats_from_json(raw, section.id)
            if until is None or self._clock.now() < until:
                self.hits += 1
                return seats, until
        self.misses += 1
        return None

    # -- keeping fresh (InventoryListener) --------------------------------

    async def changed(self, show_id: str, section_id: str | None, *, returned: bool = True) -> None:
        """Tickets moved in a section (or, with no section, the show itself was
        edited). This process forgets its copies and rebuilds; until the
        rebuild lands its readers wait for it (they see their own change),
        while other processes keep the shared copy that is at most one
        rebuild (`rebuild_gap` plus a query) behind. An edit of the show
        deletes the shared copies at once: it may change what a section is.
        `returned=False` (from `taken`): no ticket came back, so what the gate
        knows to be sold out or taken stays."""
        edited = section_id is None
        self.local.drop(show_id, *(() if edited else ("snapshot", "availability")))
        if returned:  # tickets may have come back: the gate forgets
            self._last.pop(show_id, None)
            if section_id is None:
                self._seats.clear()
            else:
                self._seats.pop(section_id, None)
        if edited:
            await self._cache.delete(f"show:{show_id}")
        show = await self.show(show_id)
        seated = [s.id for s in show.sections
                  if s.kind is SectionKind.SEATED and section_id in (None, s.id)]  # fmt: skip
        if edited:
            await self._cache.delete(f"avail:{show_id}", *(f"seats:{s}" for s in seated))
        self._rebuilds.kick(f"avail:{show_id}", lambda: self._refresh_availability(show_id))
        for seated_id in seated:
            self._rebuilds.kick(
                f"seats:{seated_id}", lambda s=seated_id: self._refresh_seats(show_id, s)
            )

    async def taken(self, show_id: str, section_id: str, seat_ids: tuple[int, ...] = ()) -> None:
        """Tickets were taken (a hold, or a held ticket sold): nothing came
        back, so what the gate knows to be sold out or taken stays true; the
        gate also learns the seats at once. Then as `changed`."""
        known = self._seats.get(section_id)
        if known is not None and seat_ids:
            known.take(seat_ids)
        await self.changed(show_id, section_id, returned=False)

    async def settle(self) -> None:
        """Wait for the rebuilds in flight."""
        await self._rebuilds.settle()

    async def _refresh_availability(self, show_id: str) -> AvailabilitySnapshot:
        snapshot = await self._inventory.availability_snapshot(show_id)
        if not self._rebuilds.outdated(f"avail:{show_id}"):  # no change here since it read
            self._last[show_id] = snapshot
            self.local.put(show_id, "snapshot", snapshot, snapshot.exact_until)
        await self._cache.set(f"avail:{show_id}", codec.availability_to_json(snapshot), self._ttl)
        return snapshot

    async def _refresh_seats(self, show_id: str, section_id: str) -> tuple[Section, list[Seat]]:
        section, seats, until = await self._inventory.seat_map_snapshot(show_id, section_id)
        if not self._rebuilds.outdated(f"seats:{section_id}"):  # no change here since it read
            self._seats[section_id] = SeatKnowledge.of(seats, until, self._clock.now())
        await self._cache.set(f"seats:{section_id}", codec.seats_to_json(seats, until), self._ttl)
        return section, seats

    # -- the sold-out gate (SoldOutGate) ------------------------------------

    def _recent(self, show_id: str) -> AvailabilitySnapshot | None:
        last = self._last.get(show_id)
        now = self._clock.now()
        # The shared copy lives `ttl` from its build; it is rebuilt within
        # milliseconds of expiring, so twice that covers the gap with room.
        if last is None or not last.is_exact_at(now) or now - last.as_of > timedelta(seconds=2 * self._ttl):
            return None
        return last

    async def check(self, request: HoldRequest) -> None:
        """Refuse a hold the cache already knows cannot fit; otherwise let the
        database decide. Unknown shows, sections or seats pass through."""
        try:
            show = await self.show(request.show_id)
            section = show.section(request.section_id)
        except NotFound:  # the database path gives the real error
            return
        # Only what is in the cache now: a missing snapshot (being rebuilt while
        # tickets sell) lets the request through rather than make it wait --
        # unless this process saw a snapshot of the show a moment ago (built
        # within two TTLs, still exact, and no change made here since):
        # a sold-out crowd must not reach the database each time the shared
        # copy expires and is rebuilt.
        if section.kind is SectionKind.GA:
            if request.quantity is None or request.seat_ids is not None:
                return
            snapshot = await self._cached_availability(request.show_id)
            if snapshot is None:
                key = f"avail:{show.id}"
                if not self._rebuilds.in_flight(key):  # one is coming otherwise
                    self._rebuilds.kick(key, lambda: self._refresh_availability(show.id))
                snapshot = self._recent(show.id)
                if snapshot is None:
                    return
            found = snapshot.section(section.id)
            if found is not None and found.available < request.quantity:
                raise SoldOut(available=found.available)
            return
        known = await self._seat_knowledge(show.id, section)
        if known is None:
            return
        if request.seat_ids:
            if not known.taken.isdisjoint(request.seat_ids):
                raise SeatsUnavailable()
        elif request.quantity is not None and known.free < request.quantity:
            raise SoldOut(available=known.free)

    async def _seat_knowledge(self, show_id: str, section: Section) -> SeatKnowledge | None:
        """The taken seats of a numbered section as this process knows them
        (built within two TTLs and still exact), or from the shared seat map;
        None when neither is at hand (a rebuild is asked for)."""
        now = self._clock.now()
        known = self._seats.get(section.id)
        if known is not None and known.usable_at(now, timedelta(seconds=2 * self._ttl)):
            return known
        found = await self._cached_seats_until(section)
        if found is None:
            key = f"seats:{section.id}"
            if not self._rebuilds.in_flight(key):
                self._rebuilds.kick(key, lambda: self._refresh_seats(show_id, section.id))
            return None
        known = SeatKnowledge.of(*found, now)  # exact until the section's next hold expiry
        self._seats[section.id] = known
        return known


class SeatKnowledge:
    """A numbered section's taken seats as of a moment, decoded once (not per
    request), and exact until the section's next hold expiry."""

    __slots__ = ("taken", "free", "exact_until", "as_of")

    def __init__(self, taken: set[int], free: int, exact_until: datetime | None, as_of: datetime) -> None:
        self.taken = taken
        self.free = free
        self.exact_until = exact_until
        self.as_of = as_of

    @classmethod
    def of(cls, seats: list[Seat], exact_until: datetime | None, now: datetime) -> SeatKnowledge:
        taken = {s.id for s in seats if s.status is not SeatStatus.FREE}
        return cls(taken, len(seats) - len(taken), exact_until, now)

    def take(self, seat_ids: tuple[int, ...]) -> None:
        fresh = set(seat_ids) - self.taken
        self.taken |= fresh
        self.free -= len(fresh)

    def usable_at(self, now: datetime, within: timedelta) -> bool:
        exact = self.exact_until is None or now < self.exact_until
        return exact and now - self.as_of <= within

"""The ticket cache: availability, seat maps and show definitions, and the
sold-out gate in front of the hold path.

Freshness does not come from a long TTL:
- every change that moves availability (hold, release, sale, expiry reclaim,
  organiser edit) rewrites the snapshot right after its commit (`changed`);
- a snapshot knows when the next live hold expires (`exact_until`) and is
  treated as a miss from that instant, so expired holds reopen sales at once;
- a short TTL (default 2 s) bounds what a lost update or a racing writer can
  leave behind.
The gate only ever refuses early ("sold out"); a sale is decided by the database.
"""

from __future__ import annotations

from boxoffice.cache import codec
from boxoffice.cache.base import Cache
from boxoffice.clock import Clock
from boxoffice.errors import NotFound, SeatsUnavailable, SoldOut
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import AvailabilitySnapshot, Seat, SeatStatus, Section, SectionKind, Show
from boxoffice.inventory.service import InventoryService

SHOW_TTL = 60.0


class TicketCache:
    def __init__(
        self, cache: Cache, inventory: InventoryService, clock: Clock, ttl: float = 2.0
    ) -> None:
        self._cache = cache
        self._inventory = inventory
        self._clock = clock
        self._ttl = ttl
        self.hits = 0
        self.misses = 0

    # -- reads ------------------------------------------------------------

    async def show(self, show_id: str) -> Show:
        raw = await self._cache.get(f"show:{show_id}")
        if raw is not None:
            self.hits += 1
            return codec.show_from_json(raw)
        self.misses += 1
        show = await self._inventory.show(show_id)
        await self._cache.set(f"show:{show_id}", codec.show_to_json(show), SHOW_TTL)
        return show

    async def availability(self, show_id: str) -> AvailabilitySnapshot:
        raw = await self._cache.get(f"avail:{show_id}")
        if raw is not None:
            snapshot = codec.availability_from_json(raw)
            if snapshot.is_exact_at(self._clock.now()):
                self.hits += 1
                return snapshot
        self.misses += 1
        return await self._refresh_availability(show_id)

    async def seat_map(self, show_id: str, section_id: str) -> tuple[Section, list[Seat]]:
        section = (await self.show(show_id)).section(section_id)
        raw = await self._cache.get(f"seats:{section_id}")
        if raw is not None and section.kind is SectionKind.SEATED:
            seats, until = codec.seats_from_json(raw, section_id)
            if until is None or self._clock.now() < until:
                self.hits += 1
                return section, seats
        self.misses += 1
        return await self._refresh_seats(show_id, section_id)

    # -- keeping fresh (InventoryListener) --------------------------------

    async def changed(self, show_id: str, section_id: str | None) -> None:
        if section_id is None:
            await self._cache.delete(f"show:{show_id}")
        await self._refresh_availability(show_id)
        show = await self.show(show_id)
        for section in show.sections:
            if section.kind is SectionKind.SEATED and section_id in (None, section.id):
                await self._refresh_seats(show_id, section.id)

    async def _refresh_availability(self, show_id: str) -> AvailabilitySnapshot:
        snapshot = await self._inventory.availability_snapshot(show_id)
        await self._cache.set(f"avail:{show_id}", codec.availability_to_json(snapshot), self._ttl)
        return snapshot

    async def _refresh_seats(self, show_id: str, section_id: str) -> tuple[Section, list[Seat]]:
        section, seats, until = await self._inventory.seat_map_snapshot(show_id, section_id)
        await self._cache.set(f"seats:{section_id}", codec.seats_to_json(seats, until), self._ttl)
        return section, seats

    # -- the sold-out gate (SoldOutGate) ------------------------------------

    async def check(self, request: HoldRequest) -> None:
        """Refuse a hold the cache already knows cannot fit; otherwise let the
        database decide. Unknown shows, sections or seats pass through."""
        try:
            show = await self.show(request.show_id)
            section = show.section(request.section_id)
        except NotFound:  # the database path gives the real error
            return
        if section.kind is SectionKind.GA:
            if request.quantity is None or request.seat_ids is not None:
                return
            found = (await self.availability(request.show_id)).section(section.id)
            if found is not None and found.available < request.quantity:
                raise SoldOut(available=found.available)
            return
        if not request.seat_ids:
            return
        _, seats = await self.seat_map(request.show_id, section.id)
        taken = {s.id for s in seats if s.status is not SeatStatus.FREE}
        if taken.intersection(request.seat_ids):
            raise SeatsUnavailable()

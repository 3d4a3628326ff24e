"""The ticket manager: shows, sections, seats, availability, and the organiser's edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from boxoffice.clock import Clock
from boxoffice.errors import CapacityBelowSold, Conflict, InvalidRequest, NotFound
from boxoffice.holds.service import reclaim_dead_holds
from boxoffice.ids import new_id
from boxoffice.inventory.domain import (
    Availability,
    AvailabilitySnapshot,
    Seat,
    Section,
    SectionKind,
    SectionSpec,
    SectionStats,
    Show,
    ShowSpec,
    check_show_fields,
)
from boxoffice.inventory.events import InventoryListener
from boxoffice.inventory.posters import poster_type
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory

SHOW_FIELDS = {
    "name", "venue", "starts_at", "sale_opens_at", "sale_closes_at", "per_account_limit",
    "currency", "timezone",
}  # fmt: skip


class InventoryService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, listener: InventoryListener) -> None:
        self._uow = uow
        self._clock = clock
        self._listener = listener

    # -- reading ------------------------------------------------------------

    async def list_shows(self) -> list[Show]:
        async with self._uow() as uow:
            return await uow.shows.list()

    async def show(self, show_id: str) -> Show:
        async with self._uow() as uow:
            return await _show(uow, show_id)

    async def availability(self, show_id: str) -> list[Availability]:
        async with self._uow() as uow:
            await _show(uow, show_id)
            return await uow.shows.availability(show_id, self._clock.now())

    async def availability_snapshot(self, show_id: str) -> AvailabilitySnapshot:
        """Availability now, and until when it stays exact if nothing else changes."""
        now = self._clock.now()
        async with self._uow() as uow:
            sections, until = await uow.shows.availability_until(show_id, now)
            if not sections:  # no such show (its sections name it): NotFound
                await _show(uow, show_id)
        return AvailabilitySnapshot(sections, now, until)

    async def seat_map(self, show_id: str, section_id: str) -> tuple[Section, list[Seat]]:
        section, seats, _ = await self.seat_map_snapshot(show_id, section_id)
        return section, seats

    async def seat_map_snapshot(
        self, show_id: str, section_id: str
    ) -> tuple[Section, list[Seat], datetime | None]:
        now = self._clock.now()
        async with self._uow() as uow:
            section = (await _show(uow, show_id)).section(section_id)
            if section.kind is not SectionKind.SEATED:
                raise InvalidRequest("This section is general admission: it has no seat map.")
            seats = await uow.shows.seat_map(section_id, now)
            until = await uow.shows.next_expiry(now, section_id=section_id)
        return section, seats, until

    async def seats(self, seat_ids: tuple[int, ...]) -> dict[int, Seat]:
        async with self._uow() as uow:
            return await uow.shows.seats_by_id(seat_ids)

    async def stats(self, show_id: str) -> list[SectionStats]:
        async with self._uow() as uow:
            await _show(uow, show_id)
            availability = await uow.shows.availability(show_id, self._clock.now())
            revenue = await uow.shows.revenue_by_section(show_id)
        return [SectionStats(a, revenue.get(a.section_id, 0)) for a in availability]

    # -- organiser edits ----------------------------------------------------

    async def create_show(self, spec: ShowSpec) -> Show:
        spec = spec.validated()
        show = Show(
            id=new_id(), name=spec.name, venue=spec.venue, starts_at=spec.starts_at,
            sale_opens_at=spec.sale_opens_at, sale_closes_at=spec.sale_closes_at,
            per_account_limit=spec.per_account_limit, currency=spec.currency,
            created_at=self._clock.now(), timezone=spec.timezone,
        )  # fmt: skip
        async with self._uow(write=True) as uow:
            await uow.shows.add_show(show)
            for position, section_spec in enumerate(spec.sections):
                await _add_section(uow, show.id, section_spec, position)
            await uow.commit()
        return await self.show(show.id)

    async def update_show(self, show_id: str, changes: dict[str, Any]) -> Show:
        unknown = set(changes) - SHOW_FIELDS
        if unknown:
            raise InvalidRequest(f"Unknown show fields: {sorted(unknown)}.")
        async with self._uow(write=True) as uow:
            show = await _show(uow, show_id)
            merged = {name: getattr(show, name) for name in SHOW_FIELDS} | changes
            check_show_fields(**merged)
            if "currency" in changes:
                changes["currency"] = str(changes["currency"]).upper()
            await uow.shows.update_show(show_id, **changes)
            await uow.commit()
        await self._listener.changed(show_id, None)
        return await self.show(show_id)

    async def add_section(self, show_id: str, spec: SectionSpec) -> Section:
        spec = spec.validated()
        try:
            async with self._uow(write=True) as uow:
                show = await _show(uow, show_id)
                if any(s.name == spec.name.strip() for s in show.sections):
                    raise Conflict(f"This show already has a section named {spec.name!r}.")
                section = await _add_section(uow, show_id, spec, len(show.sections))
                await uow.commit()
        except IntegrityError as exc:
            raise Conflict(f"This show already has a section named {spec.name!r}.") from exc
        await self._listener.changed(show_id, section.id)
        return section

    async def update_section(self, show_id: str, section_id: str, changes: dict[str, Any]) -> Section:
        """Rename, reprice, or (general admission only) resize a section.

        Capacity can shrink only down to what is sold plus held right now."""
        unknown = set(changes) - {"name", "price_cents", "capacity"}
        if unknown:
            raise InvalidRequest(f"Unknown section fields: {sorted(unknown)}.")
        if "name" in changes and not str(changes["name"]).strip():
            raise InvalidRequest("A section needs a name.", field="name")
        if changes.get("price_cents", 0) < 0:
            raise InvalidRequest("A price cannot be negative.", field="price_cents")
        now = self._clock.now()
        try:
            section = await self._update_section(show_id, section_id, changes, now)
        except IntegrityError as exc:  # a rename racing another to the same name
            raise Conflict(f"This show already has a section named {changes.get('name')!r}.") from exc
        await self._listener.changed(show_id, section_id)
        return section

    async def _update_section(
        self, show_id: str, section_id: str, changes: dict[str, Any], now: datetime
    ) -> Section:
        async with self._uow(write=True) as uow:
            show = await _show(uow, show_id)
            section = show.section(section_id)
            name = str(changes.get("name", "")).strip()
            if name and any(s.name == name and s.id != section_id for s in show.sections):
                raise Conflict(f"This show already has a section named {name!r}.")
            if "capacity" in changes:
                if section.kind is SectionKind.SEATED:
                    raise InvalidRequest("A seated section's capacity is its number of seats.")
                if changes["capacity"] < 1:
                    raise InvalidRequest("Capacity must be at least 1.", field="capacity")
                await uow.lock_section(section_id)
                await reclaim_dead_holds(uow, section_id, now)
                section = (await _show(uow, show_id)).section(section_id)
                if changes["capacity"] < section.sold_count + section.held_count:
                    raise CapacityBelowSold(sold=section.sold_count, held=section.held_count)
            await uow.shows.update_section(section_id, **changes)
            await uow.commit()
        return replace(section, **changes)

    async def set_poster(self, show_id: str, data: bytes) -> Show:
        """Store the organiser's poster (checked by its bytes); the show's poster
        version changes, so every page links the new image at once."""
        content_type = poster_type(data)
        async with self._uow(write=True) as uow:
            await _show(uow, show_id)
            await uow.shows.put_poster(show_id, content_type, data, new_id()[:12], self._clock.now())
            await uow.commit()
        await self._listener.changed(show_id, None)
        return await self.show(show_id)

    async def poster(self, show_id: str) -> tuple[str, bytes]:
        async with self._uow() as uow:
            found = await uow.shows.poster(show_id)
        if found is None:
            raise NotFound("This show has no poster.")
        return found

    async def export_show(self, show_id: str) -> ShowSpec:
        async with self._uow() as uow:
            show = await _show(uow, show_id)
            sections = [
                SectionSpec(
                    s.name, s.kind, s.price_cents, s.capacity,
                    tuple(await uow.shows.rows_of(s.id)) if s.kind is SectionKind.SEATED else (),
                )  # fmt: skip
                for s in show.sections
            ]
        return ShowSpec(
            show.name, show.venue, show.starts_at, show.sale_opens_at, show.sale_closes_at,
            show.per_account_limit, show.currency, tuple(sections), show.timezone,
        )  # fmt: skip


async def _show(uow: UnitOfWork, show_id: str) -> Show:
    show = await uow.shows.get(show_id)
    if show is None:
        raise NotFound(f"Show {show_id} does not exist.")
    return show


async def _add_section(uow: UnitOfWork, show_id: str, spec: SectionSpec, position: int) -> Section:
    section = Section(
        id=new_id(), show_id=show_id, name=spec.name.strip(), kind=spec.kind,
        price_cents=spec.price_cents, capacity=spec.capacity or spec.seat_count(),
        position=position,
    )  # fmt: skip
    await uow.shows.add_section(section, spec.rows)
    return section


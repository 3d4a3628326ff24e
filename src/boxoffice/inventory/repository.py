"""Shows, sections and seats in SQL, and the inventory counters.

The counters on a section row (held_count, sold_count) change only under the
section lock (storage/locking.py). held_count also counts holds that have
passed their expiry but were not yet reclaimed; readers subtract those, so
availability is exact without any job having run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.inventory.best import PlacedSeat
from boxoffice.inventory.domain import (
    Availability,
    RowSpec,
    Seat,
    SeatStatus,
    Section,
    SectionKind,
    Show,
)
from boxoffice.storage.tables import holds, seats, sections, show_posters, shows, tickets
from boxoffice.tickets.domain import HOLDING_PLACE

SEAT_STATUS = {status.value: status for status in SeatStatus}



def _snapshot() -> Any:
    """Each section of a show with its dead holds' tickets (expired, not yet
    reclaimed) and its first live hold's expiry: per section, by index
    (ix_holds_section_live), as `availability` and `next_expiry` read them."""
    now = bindparam("now", type_=holds.c.expires_at.type)
    dead = (
        select(func.coalesce(func.sum(holds.c.quantity), 0))
        .where(holds.c.section_id == sections.c.id, holds.c.status == ACTIVE, holds.c.expires_at <= now)
        .scalar_subquery()
    )
    first = (
        select(holds.c.expires_at)
        .where(holds.c.section_id == sections.c.id, holds.c.status == ACTIVE, holds.c.expires_at > now)
        .order_by(holds.c.expires_at).limit(1).scalar_subquery()
    )  # fmt: skip
    return (
        select(sections, dead.label("dead"), first.label("first_expiry"))
        .where(sections.c.show_id == bindparam("show_id"))
        .order_by(sections.c.position, sections.c.name)
    )

ACTIVE = "active"
SNAPSHOT = _snapshot()  # built once: see `availability_until`


def _section(row) -> Section:  # type: ignore[no-untyped-def]
    return Section(
        id=row.id,
        show_id=row.show_id,
        name=row.name,
        kind=SectionKind(row.kind),
        price_cents=row.price_cents,
        capacity=row.capacity,
        sold_count=row.sold_count,
        held_count=row.held_count,
        position=row.position,
    )


def show_from_rows(row, section_rows: Iterable) -> Show:  # type: ignore[no-untyped-def]
    return Show(
        id=row.id,
        name=row.name,
        venue=row.venue,
        starts_at=row.starts_at,
        sale_opens_at=row.sale_opens_at,
        sale_closes_at=row.sale_closes_at,
        per_account_limit=row.per_account_limit,
        currency=row.currency,
        created_at=row.created_at,
        sections=[_section(s) for s in section_rows],
        timezone=row.timezone,
        poster_version=row.poster_version,
    )


class ShowRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # -- shows and sections -------------------------------------------------

    async def add_show(self, show: Show) -> None:
        await self._conn.execute(
            insert(shows).values(
                id=show.id,
                name=show.name,
                venue=show.venue,
                starts_at=show.starts_at,
                sale_opens_at=show.sale_opens_at,
                sale_closes_at=show.sale_closes_at,
                per_account_limit=show.per_account_limit,
                currency=show.currency,
                created_at=show.created_at,
                timezone=show.timezone,
            )
        )

    async def add_section(self, section: Section, rows: tuple[RowSpec, ...] = ()) -> None:
        await self._conn.execute(
            insert(sections).values(
                id=section.id,
                show_id=section.show_id,
                name=section.name,
                kind=section.kind.value,
                price_cents=section.price_cents,
                capacity=section.capacity,
                sold_count=0,
                held_count=0,
                position=section.position,
            )
        )
        seat_rows = [
            {"section_id": section.id, "row_label": row.label, "number": n, "sold": False}
            for row in rows
            for n in range(1, row.seats + 1)
        ]
        if seat_rows:
            await self._conn.execute(insert(seats), seat_rows)

    async def get(self, show_id: str) -> Show | None:
        row = (await self._conn.execute(select(shows).where(shows.c.id == show_id))).first()
        if row is None:
            return None
        section_rows = await self._conn.execute(
            select(sections)
            .where(sections.c.show_id == show_id)
            .order_by(sections.c.position, sections.c.name)
        )
        return show_from_rows(row, section_rows)

    async def list(self) -> list[Show]:
        show_rows = (await self._conn.execute(select(shows).order_by(shows.c.starts_at))).all()
        section_rows = (
            await self._conn.execute(
                select(sections).order_by(sections.c.position, sections.c.name)
            )
        ).all()
        by_show: dict[str, list] = {}
        for s in section_rows:
            by_show.setdefault(s.show_id, []).append(s)
        return [show_from_rows(row, by_show.get(row.id, [])) for row in show_rows]

    async def update_show(self, show_id: str, **values: object) -> None:
        if values:
            await self._conn.execute(update(shows).where(shows.c.id == show_id).values(**values))

    async def update_section(self, section_id: str, **values: object) -> None:
        if values:
            await self._conn.execute(
                update(sections).where(sections.c.id == section_id).values(**values)
            )

    async def put_poster(self, show_id: str, content_type: str, data: bytes, version: str, now: datetime) -> None:
        await self._conn.execute(show_posters.delete().where(show_posters.c.show_id == show_id))
        await self._conn.execute(
            insert(show_posters).values(show_id=show_id, content_type=content_type, data=data, uploaded_at=now)
        )
        await self._conn.execute(update(shows).where(shows.c.id == show_id).values(poster_version=version))

    async def poster(self, show_id: str) -> tuple[str, bytes] | None:
        row = (
            await self._conn.execute(
                select(show_posters.c.content_type, show_posters.c.data).where(show_posters.c.show_id == show_id)
            )
        ).first()
        return (row.content_type, bytes(row.data)) if row else None

    async def rows_of(self, section_id: str) -> list[RowSpec]:
        result = await self._conn.execute(
            select(seats.c.row_label, func.count())
            .where(seats.c.section_id == section_id)
            .group_by(seats.c.row_label)
            .order_by(func.min(seats.c.id))
        )
        return [RowSpec(label, count) for label, count in result]

    # -- availability -------------------------------------------------------

    async def availability_until(self, show_id: str, now: datetime) -> tuple[list[Availability], datetime | None]:
        """`availability` and `next_expiry` of a show in one statement, built
        once: the cache rebuilds this snapshot up to 20 times a second per
        process during a sale."""
        result = await self._conn.execute(SNAPSHOT, {"show_id": show_id, "now": now})
        found, until = [], None
        for row in result.all():
            found.append(Availability(
                section_id=row.id, name=row.name, kind=SectionKind(row.kind), price_cents=row.price_cents,
                capacity=row.capacity, sold=row.sold_count, held=row.held_count - row.dead,
            ))  # fmt: skip
            if row.first_expiry is not None and (until is None or row.first_expiry < until):
                until = row.first_expiry
        return found, until

    async def availability(self, show_id: str, now: datetime) -> list[Availability]:
        # Holds are found per section (ix_holds_section_live) here and in
        # next_expiry, never per show: see migration 0004 for why.
        dead = (
            select(func.coalesce(func.sum(holds.c.quantity), 0))
            .where(holds.c.section_id == sections.c.id, holds.c.status == ACTIVE, holds.c.expires_at <= now)
            .scalar_subquery()
        )
        result = await self._conn.execute(
            select(sections, dead.label("dead"))
            .where(sections.c.show_id == show_id)
            .order_by(sections.c.position, sections.c.name)
        )
        return [
            Availability(
                section_id=row.id,
                name=row.name,
                kind=SectionKind(row.kind),
                price_cents=row.price_cents,
                capacity=row.capacity,
                sold=row.sold_count,
                held=row.held_count - row.dead,
            )
            for row in result
        ]

    async def next_expiry(
        self, now: datetime, *, show_id: str | None = None, section_id: str | None = None
    ) -> datetime | None:
        """When the next live hold (of a show or a section) expires: until then,
        availability computed now stays exact unless something else changes."""
        # Each section's first hold in expiry order: an index range scan that
        # stops at one row whatever the statistics say (a min() over a table
        # that grew since it was last analysed was planned as a read of every
        # live hold: 6 ms at 40,000 holds, growing).
        def first_live(section: Any) -> Any:
            return (
                select(holds.c.expires_at)
                .where(holds.c.section_id == section, holds.c.status == ACTIVE, holds.c.expires_at > now)
                .order_by(holds.c.expires_at)
                .limit(1)
                .scalar_subquery()
            )

        if section_id is not None:
            return await self._conn.scalar(select(first_live(section_id)))
        query = select(func.min(first_live(sections.c.id)))
        if show_id is not None:
            query = query.where(sections.c.show_id == show_id)
        return await self._conn.scalar(query)

    async def revenue_by_section(self, show_id: str) -> dict[str, int]:
        result = await self._conn.execute(
            select(tickets.c.section_id, func.sum(tickets.c.price_cents))
            .where(tickets.c.show_id == show_id, tickets.c.status.in_(HOLDING_PLACE))  # not void or refunded
            .group_by(tickets.c.section_id)
        )
        return {section_id: int(total) for section_id, total in result}

    async def seat_map(self, section_id: str, now: datetime) -> list[Seat]:
        """A section's seats with their status as of `now`. Rebuilt for the
        cache every `rebuild_gap` while seats sell: the status is worked out
        by the database and the rows are read in one go (per row, SQLAlchemy's
        row objects cost more than the query)."""
        status = case(
            (seats.c.sold, SeatStatus.SOLD.value),
            (and_(seats.c.held_until.is_not(None), seats.c.held_until > now), SeatStatus.HELD.value),
            else_=SeatStatus.FREE.value,
        )
        result = await self._conn.execute(
            select(seats.c.id, seats.c.row_label, seats.c.number, status)
            .where(seats.c.section_id == section_id).order_by(seats.c.id)
        )  # fmt: skip
        return [Seat(i, section_id, row, number, SEAT_STATUS[st]) for i, row, number, st in result.all()]

    async def seats_by_id(self, seat_ids: Iterable[int]) -> dict[int, Seat]:
        ids = list(seat_ids)
        if not ids:
            return {}
        result = await self._conn.execute(select(seats).where(seats.c.id.in_(ids)))
        return {
            row.id: Seat(row.id, row.section_id, row.row_label, row.number) for row in result
        }

    # -- counters (caller holds the section lock) ---------------------------

    async def take(self, section_id: str, quantity: int) -> bool:
        """Count `quantity` more tickets as held, if they fit. The row count decides."""
        result = await self._conn.execute(
            update(sections)
            .where(
                sections.c.id == section_id,
                sections.c.capacity - sections.c.sold_count - sections.c.held_count >= quantity,
            )
            .values(held_count=sections.c.held_count + quantity)
        )
        return result.rowcount == 1

    async def give_back(self, section_id: str, quantity: int) -> None:
        if quantity:
            await self._conn.execute(
                update(sections)
                .where(sections.c.id == section_id)
                .values(held_count=sections.c.held_count - quantity)
            )

    async def sell(self, section_id: str, quantity: int) -> None:
        await self._conn.execute(
            update(sections)
            .where(sections.c.id == section_id)
            .values(
                held_count=sections.c.held_count - quantity,
                sold_count=sections.c.sold_count + quantity,
            )
        )

    async def unsell(self, section_id: str, seat_ids: list[int], quantity: int) -> None:
        """Put sold tickets back on sale (a refund): the caller holds the section
        lock and has already refunded the tickets that had these places."""
        await self._conn.execute(
            update(sections)
            .where(sections.c.id == section_id)
            .values(sold_count=sections.c.sold_count - quantity)
        )
        if seat_ids:
            await self._conn.execute(
                update(seats)
                .where(seats.c.section_id == section_id, seats.c.id.in_(seat_ids))
                .values(sold=False, hold_id=None, held_until=None)
            )

    async def claim_seats(
        self, section_id: str, seat_ids: list[int], hold_id: str, until: datetime, now: datetime
    ) -> bool:
        """Mark every seat as held by `hold_id`, or none: True only if all were free."""
        result = await self._conn.execute(
            update(seats)
            .where(
                seats.c.section_id == section_id,
                seats.c.id.in_(seat_ids),
                seats.c.sold.is_(False),
                (seats.c.held_until.is_(None)) | (seats.c.held_until <= now),
            )
            .values(hold_id=hold_id, held_until=until)
        )
        return result.rowcount == len(seat_ids)

    async def section_seats(self, section_id: str, now: datetime) -> list[PlacedSeat]:
        """Every seat of the section with whether it can be held now (caller
        holds the section lock: best available decides on this)."""
        result = await self._conn.execute(
            select(seats.c.id, seats.c.row_label, seats.c.number, seats.c.sold, seats.c.held_until)
            .where(seats.c.section_id == section_id)
        )
        return [
            PlacedSeat(i, row, number, not sold and (until is None or until <= now))
            for i, row, number, sold, until in result
        ]

    async def claim_many(self, section_id: str, claims: list[tuple[str, datetime, tuple[int, ...]]],
                         now: datetime) -> bool:  # fmt: skip
        """claim_seats for several holds (hold id, until, seat ids); True only if every seat was free."""
        for hold_id, until, seat_ids in claims:
            if not await self.claim_seats(section_id, list(seat_ids), hold_id, until, now):
                return False
        return True

    async def free_seats(self, hold_ids: list[str]) -> None:
        if hold_ids:
            await self._conn.execute(
                update(seats)
                .where(seats.c.hold_id.in_(hold_ids), seats.c.sold.is_(False))
                .values(hold_id=None, held_until=None)
            )

    async def sell_seats(self, hold_id: str, seat_ids: list[int]) -> bool:
        result = await self._conn.execute(
            update(seats)
            .where(and_(seats.c.hold_id == hold_id, seats.c.id.in_(seat_ids), seats.c.sold.is_(False)))
            .values(sold=True, held_until=None)
        )
        return result.rowcount == len(seat_ids)

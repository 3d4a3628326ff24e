"""Shared helpers of the after-sale tests: buy tickets, read counters, count rows."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.storage import tables
from tests.support import Fan

_keys = itertools.count()


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def ga(show: Show) -> str:
    return next(s.id for s in show.sections if s.kind.value == "ga")


def seated(show: Show) -> str:
    return next(s.id for s in show.sections if s.kind.value == "seated")


async def buy(fan: Fan, show: Show, quantity: int = 1, seat_ids: list[int] | None = None) -> dict[str, Any]:
    """A paid order of `quantity` GA tickets (or these seats)."""
    if seat_ids:
        r = await fan.hold(show.id, seated(show), key("h"), seat_ids=seat_ids)
    else:
        r = await fan.hold(show.id, ga(show), key("h"), quantity=quantity)
    assert r.status_code == 201, r.text
    r = await fan.pay(r.json()["hold_id"], key("o"))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def counters(container: Container, section_id: str) -> tuple[int, int, int]:
    """(sold, held, capacity) of a section, from the database."""
    async with container.database.engine.connect() as conn:
        row = (
            await conn.execute(
                select(tables.sections.c.sold_count, tables.sections.c.held_count, tables.sections.c.capacity)
                .where(tables.sections.c.id == section_id)
            )
        ).one()
    return row.sold_count, row.held_count, row.capacity


async def count(container: Container, table: Any, *where: Any) -> int:
    async with container.database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def snapshot(container: Container) -> dict[str, int]:
    """Row counts of every table a request could write (for 'nothing written')."""
    names = ("tickets", "orders", "holds", "refunds", "transfers", "resale_listings",
             "waitlist_entries", "notifications", "audit_events", "after_sale_rules")  # fmt: skip
    out = {}
    for name in names:
        out[name] = await count(container, tables.metadata.tables[name])
    async with container.database.engine.connect() as conn:
        out["valid"] = int(await conn.scalar(
            select(func.count()).select_from(tables.tickets).where(tables.tickets.c.status == "valid")
        ) or 0)  # fmt: skip
    return out


async def valid_per_seat_ok(container: Container) -> bool:
    """Invariant: no seat is in two tickets that count (valid or listed)."""
    t = tables.tickets
    async with container.database.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(t.c.seat_id, func.count())
                .where(t.c.seat_id.is_not(None), t.c.status.in_(("valid", "listed")))
                .group_by(t.c.seat_id)
                .having(func.count() > 1)
            )
        ).all()
    return rows == []


async def sold_matches_tickets(container: Container, section_id: str) -> bool:
    """Invariant: a section's sold counter equals its tickets that hold a place."""
    t = tables.tickets
    sold, held, capacity = await counters(container, section_id)
    holding = await count(container, t, t.c.section_id == section_id, t.c.status.in_(("valid", "listed")))
    return sold == holding and sold + held <= capacity

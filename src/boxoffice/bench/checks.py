"""After the sale, from the database: was anything oversold or lost?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from boxoffice.storage.database import Database
from boxoffice.storage.tables import holds, orders, sections, tickets


@dataclass(frozen=True, slots=True)
class Totals:
    capacity: int
    sold: int
    held_live: int
    tickets: int
    paid_orders: int
    oversold_sections: int
    seats_sold_twice: int
    counters_match_tickets: bool

    @property
    def ok(self) -> bool:
        return (
            self.oversold_sections == 0
            and self.seats_sold_twice == 0
            and self.counters_match_tickets
            and self.sold + self.held_live <= self.capacity
        )


async def check(database_url: str, show_id: str) -> Totals:
    database = Database(database_url)
    now = datetime.now(UTC)
    try:
        async with database.engine.connect() as conn:
            rows = (await conn.execute(select(sections).where(sections.c.show_id == show_id))).all()
            live = dict(
                (await conn.execute(
                    select(holds.c.section_id, func.sum(holds.c.quantity))
                    .where(holds.c.show_id == show_id, holds.c.status == "active", holds.c.expires_at > now)
                    .group_by(holds.c.section_id)
                )).all()
            )  # fmt: skip
            issued = dict(
                (await conn.execute(
                    select(tickets.c.section_id, func.count())
                    .where(tickets.c.show_id == show_id).group_by(tickets.c.section_id)
                )).all()
            )  # fmt: skip
            twice = await conn.scalar(
                select(func.count()).select_from(
                    select(tickets.c.seat_id).where(tickets.c.show_id == show_id, tickets.c.seat_id.is_not(None))
                    .group_by(tickets.c.seat_id).having(func.count() > 1).subquery()
                )
            )  # fmt: skip
            paid = await conn.scalar(
                select(func.count()).where(orders.c.show_id == show_id, orders.c.status == "paid")
            )
    finally:
        await database.dispose()
    oversold = sum(1 for r in rows if r.sold_count + int(live.get(r.id) or 0) > r.capacity)
    return Totals(
        capacity=sum(r.capacity for r in rows),
        sold=sum(r.sold_count for r in rows),
        held_live=sum(int(v or 0) for v in live.values()),
        tickets=sum(issued.values()),
        paid_orders=int(paid or 0),
        oversold_sections=oversold,
        seats_sold_twice=int(twice or 0),
        counters_match_tickets=all(r.sold_count == issued.get(r.id, 0) for r in rows),
    )

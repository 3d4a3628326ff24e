"""The waiting list in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.storage.tables import seats, waitlist_entries
from boxoffice.waitlist.domain import LIVE, Entry, EntryStatus, ListStats

W = waitlist_entries


def _entry(row) -> Entry:  # type: ignore[no-untyped-def]
    return Entry(
        id=row.id, show_id=row.show_id, section_id=row.section_id, account_id=row.account_id,
        quantity=row.quantity, status=EntryStatus(row.status), joined_at=row.joined_at,
        updated_at=row.updated_at, hold_id=row.hold_id, offer_expires_at=row.offer_expires_at,
    )  # fmt: skip


class WaitlistRepository:
    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    def _event(self, entry: Entry, action: Action, at: datetime, **detail: Any) -> None:
        self._audit.add(AuditEvent(
            at=at, entity=Entity.WAITLIST, entity_id=entry.id, action=action, show_id=entry.show_id,
            section_id=entry.section_id, account_id=entry.account_id, hold_id=detail.pop("hold_id", None),
            quantity=entry.quantity, detail=detail,
        ))  # fmt: skip

    async def of_account(self, account_id: str, show_id: str) -> Entry | None:
        row = (await self._conn.execute(select(W).where(W.c.account_id == account_id, W.c.show_id == show_id))).first()
        return _entry(row) if row else None

    async def join(self, entry: Entry, replacing: Entry | None) -> None:
        """A new place at the back of the line (a finished earlier place is reused)."""
        values = {
            "section_id": entry.section_id, "quantity": entry.quantity, "status": EntryStatus.WAITING.value,
            "joined_at": entry.joined_at, "updated_at": entry.joined_at, "hold_id": None, "offer_expires_at": None,
        }  # fmt: skip
        if replacing is None:
            await self._conn.execute(
                insert(W).values(id=entry.id, show_id=entry.show_id, account_id=entry.account_id, **values)
            )
        else:
            await self._conn.execute(update(W).where(W.c.id == replacing.id).values(**values))
        self._event(entry, Action.JOINED, entry.joined_at)

    async def set_status(self, entry: Entry, frm: tuple[str, ...], to: EntryStatus, now: datetime,
                         action: Action, **values: Any) -> bool:  # fmt: skip
        result = await self._conn.execute(
            update(W).where(W.c.id == entry.id, W.c.status.in_(frm)).values(status=to.value, updated_at=now, **values)
        )
        if result.rowcount != 1:
            return False
        self._event(entry, action, now, hold_id=values.get("hold_id", entry.hold_id), status=to.value)
        return True

    async def first_waiting(self, section_id: str) -> Entry | None:
        row = (
            await self._conn.execute(
                select(W)
                .where(W.c.section_id == section_id, W.c.status == EntryStatus.WAITING.value)
                .order_by(W.c.joined_at, W.c.id)
                .limit(1)
            )
        ).first()
        return _entry(row) if row else None

    async def offered(self, section_id: str) -> list[Entry]:
        rows = await self._conn.execute(
            select(W).where(W.c.section_id == section_id, W.c.status == EntryStatus.OFFERED.value)
        )
        return [_entry(row) for row in rows]

    async def sections_in_line(self, show_id: str | None = None) -> list[tuple[str, str]]:
        """(show id, section id) of every section with someone waiting or offered."""
        query = select(W.c.show_id, W.c.section_id).where(W.c.status.in_(LIVE)).distinct()
        if show_id is not None:
            query = query.where(W.c.show_id == show_id)
        return [(s, sec) for s, sec in await self._conn.execute(query)]

    async def position(self, entry: Entry) -> int:
        ahead = await self._conn.scalar(
            select(func.count()).where(
                W.c.section_id == entry.section_id, W.c.status == EntryStatus.WAITING.value,
                (W.c.joined_at < entry.joined_at) | ((W.c.joined_at == entry.joined_at) & (W.c.id < entry.id)),
            )
        )  # fmt: skip
        return int(ahead or 0) + 1

    async def stats(self, show_id: str) -> list[ListStats]:
        rows = await self._conn.execute(
            select(W.c.section_id, W.c.status, func.count()).where(W.c.show_id == show_id).group_by(W.c.section_id, W.c.status)
        )
        counts: dict[str, dict[str, int]] = {}
        for section_id, status, count in rows:
            counts.setdefault(section_id, {})[status] = int(count)
        return [
            ListStats(section_id, c.get("waiting", 0), c.get("offered", 0), c.get("bought", 0),
                      c.get("lapsed", 0), c.get("skipped", 0))  # fmt: skip
            for section_id, c in sorted(counts.items())
        ]

    async def close_show(self, show_id: str, now: datetime) -> None:
        await self._conn.execute(
            update(W).where(W.c.show_id == show_id, W.c.status.in_(LIVE)).values(status=EntryStatus.CLOSED.value, updated_at=now)
        )

    async def free_seats(self, section_id: str, count: int, now: datetime) -> list[int]:
        """`count` seats of a section that are neither sold nor held (caller holds its lock)."""
        rows = await self._conn.execute(
            select(seats.c.id)
            .where(
                seats.c.section_id == section_id, seats.c.sold.is_(False),
                seats.c.held_until.is_(None) | (seats.c.held_until <= now),
            )
            .order_by(seats.c.id)
            .limit(count)
        )  # fmt: skip
        return list(rows.scalars())

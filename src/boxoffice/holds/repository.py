"""Holds in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.storage.tables import hold_seats, holds, seats, tickets
from boxoffice.tickets.domain import HOLDING_PLACE

ACTIVE = HoldStatus.ACTIVE.value


class DeadHold(NamedTuple):
    id: str
    quantity: int
    account_id: str
    show_id: str
    section_id: str
    expires_at: datetime


def created_event(hold: Hold) -> AuditEvent:
    detail: dict[str, object] = {"expires_at": hold.expires_at.isoformat()}
    if hold.seat_ids:
        detail["seat_ids"] = list(hold.seat_ids)
    return AuditEvent(
        at=hold.created_at, entity=Entity.HOLD, entity_id=hold.id, action=Action.CREATED,
        show_id=hold.show_id, section_id=hold.section_id, account_id=hold.account_id,
        hold_id=hold.id, quantity=hold.quantity, detail=detail,
    )  # fmt: skip


class HoldRepository:
    """Every write here also records its audit event (written at commit)."""

    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    async def add(self, hold: Hold) -> None:
        await self._conn.execute(
            insert(holds).values(
                id=hold.id,
                account_id=hold.account_id,
                show_id=hold.show_id,
                section_id=hold.section_id,
                quantity=hold.quantity,
                status=hold.status.value,
                created_at=hold.created_at,
                expires_at=hold.expires_at,
                idempotency_key=hold.idempotency_key,
                fingerprint=hold.fingerprint,
            )
        )
        if hold.seat_ids:
            await self._conn.execute(
                insert(hold_seats), [{"hold_id": hold.id, "seat_id": s} for s in hold.seat_ids]
            )
        self._audit.add(created_event(hold))

    async def get(self, hold_id: str) -> Hold | None:
        row = (await self._conn.execute(select(holds).where(holds.c.id == hold_id))).first()
        return await self._hold(row) if row else None

    async def by_idempotency_key(self, account_id: str, key: str) -> Hold | None:
        row = (
            await self._conn.execute(
                select(holds).where(holds.c.account_id == account_id, holds.c.idempotency_key == key)
            )
        ).first()
        return await self._hold(row) if row else None

    async def _hold(self, row) -> Hold:  # type: ignore[no-untyped-def]
        seat_rows = await self._conn.execute(
            select(hold_seats.c.seat_id)
            .where(hold_seats.c.hold_id == row.id)
            .order_by(hold_seats.c.seat_id)
        )
        return Hold(
            id=row.id,
            account_id=row.account_id,
            show_id=row.show_id,
            section_id=row.section_id,
            quantity=row.quantity,
            status=HoldStatus(row.status),
            created_at=row.created_at,
            expires_at=row.expires_at,
            fingerprint=row.fingerprint,
            idempotency_key=row.idempotency_key,
            seat_ids=tuple(seat_rows.scalars()),
        )

    async def live_for_account(
        self, account_id: str, show_id: str, now: datetime
    ) -> list[tuple[str, datetime]]:
        result = await self._conn.execute(
            select(holds.c.id, holds.c.expires_at)
            .where(
                holds.c.account_id == account_id,
                holds.c.show_id == show_id,
                holds.c.status == ACTIVE,
                holds.c.expires_at > now,
            )
            .order_by(holds.c.expires_at)
        )
        return [(hold_id, expires_at) for hold_id, expires_at in result]

    async def tickets_used(self, account_id: str, show_id: str, now: datetime) -> int:
        """Tickets an account has in live holds plus tickets it holds (bought or
        received, not void or refunded), for one show."""
        held = await self._conn.scalar(
            select(func.coalesce(func.sum(holds.c.quantity), 0)).where(
                holds.c.account_id == account_id,
                holds.c.show_id == show_id,
                holds.c.status == ACTIVE,
                holds.c.expires_at > now,
            )
        )
        bought = await self._conn.scalar(
            select(func.count()).where(
                tickets.c.account_id == account_id, tickets.c.show_id == show_id,
                tickets.c.status.in_(HOLDING_PLACE),
            )  # fmt: skip
        )
        return int(held or 0) + int(bought or 0)

    async def dead_in_section(self, section_id: str, now: datetime) -> list[DeadHold]:
        """ACTIVE holds past their expiry (caller holds the section lock)."""
        result = await self._conn.execute(
            select(
                holds.c.id, holds.c.quantity, holds.c.account_id, holds.c.show_id,
                holds.c.section_id, holds.c.expires_at,
            ).where(
                holds.c.section_id == section_id,
                holds.c.status == ACTIVE,
                holds.c.expires_at <= now,
            )
        )  # fmt: skip
        return [DeadHold(*row) for row in result]

    async def sections_with_dead_holds(self, now: datetime, limit: int = 100) -> list[str]:
        result = await self._conn.execute(
            select(holds.c.section_id)
            .where(holds.c.status == ACTIVE, holds.c.expires_at <= now)
            .group_by(holds.c.section_id)
            .limit(limit)
        )
        return list(result.scalars())

    async def mark_expired(self, dead: list[DeadHold], now: datetime) -> None:
        """Mark dead holds EXPIRED (caller holds their section's lock)."""
        if not dead:
            return
        await self._conn.execute(
            update(holds)
            .where(holds.c.id.in_([h.id for h in dead]), holds.c.status == ACTIVE)
            .values(status=HoldStatus.EXPIRED.value)
        )
        for h in dead:
            self._audit.add(
                AuditEvent(
                    at=now, entity=Entity.HOLD, entity_id=h.id, action=Action.EXPIRED,
                    show_id=h.show_id, section_id=h.section_id, account_id=h.account_id,
                    hold_id=h.id, quantity=h.quantity,
                    detail={"expires_at": h.expires_at.isoformat()},
                )  # fmt: skip
            )

    async def finish(self, hold: Hold, status: HoldStatus, now: datetime) -> bool:
        """Move a live hold to RELEASED or CONVERTED; True only if it was still live.

        The row count decides who won when a release, a payment and an expiry race.
        """
        result = await self._conn.execute(
            update(holds)
            .where(holds.c.id == hold.id, holds.c.status == ACTIVE, holds.c.expires_at > now)
            .values(status=status.value)
        )
        if result.rowcount != 1:
            return False
        self._audit.add(
            AuditEvent(
                at=now, entity=Entity.HOLD, entity_id=hold.id, action=Action(status.value),
                show_id=hold.show_id, section_id=hold.section_id, account_id=hold.account_id,
                hold_id=hold.id, quantity=hold.quantity,
            )  # fmt: skip
        )
        return True

    async def extend(self, hold: Hold, until: datetime, now: datetime) -> bool:
        """Keep a live hold (and its seats) until `until`: a pending asynchronous
        payment's deadline (the caller never passes an earlier time); False if
        the hold is no longer live.
        Its tickets are already counted as held, so no counter changes."""
        result = await self._conn.execute(
            update(holds)
            .where(holds.c.id == hold.id, holds.c.status == ACTIVE, holds.c.expires_at > now)
            .values(expires_at=until)
        )
        if result.rowcount != 1:
            return False
        if hold.seat_ids:
            await self._conn.execute(
                update(seats)
                .where(seats.c.hold_id == hold.id, seats.c.sold.is_(False), seats.c.held_until > now)
                .values(held_until=until)
            )
        self._audit.add(
            AuditEvent(
                at=now, entity=Entity.HOLD, entity_id=hold.id, action=Action.EXTENDED,
                show_id=hold.show_id, section_id=hold.section_id, account_id=hold.account_id,
                hold_id=hold.id, quantity=hold.quantity, detail={"expires_at": until.isoformat()},
            )  # fmt: skip
        )
        return True

    # -- batches (holds/batch.py): one statement for many requests ----------------

    async def add_many(self, new: list[Hold]) -> None:
        """Insert holds in one statement (and their seats in one more)."""
        if new:
            await self._conn.execute(
                insert(holds),
                [
                    {
                        "id": h.id, "account_id": h.account_id, "show_id": h.show_id,
                        "section_id": h.section_id, "quantity": h.quantity,
                        "status": h.status.value, "created_at": h.created_at,
                        "expires_at": h.expires_at, "idempotency_key": h.idempotency_key,
                        "fingerprint": h.fingerprint,
                    }  # fmt: skip
                    for h in new
                ],
            )
            seated = [{"hold_id": h.id, "seat_id": s} for h in new for s in h.seat_ids]
            if seated:
                await self._conn.execute(insert(hold_seats), seated)
            for h in new:
                self._audit.add(created_event(h))

    async def by_idempotency_keys(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Hold]:
        """Holds made earlier under any of these (account id, key) pairs."""
        if not keys:
            return {}
        wanted = set(keys)
        rows = await self._conn.execute(
            select(holds).where(
                holds.c.account_id.in_({account for account, _ in keys}),
                holds.c.idempotency_key.in_({key for _, key in keys}),
            )
        )
        found = {}
        for row in rows.all():
            if (row.account_id, row.idempotency_key) in wanted:
                found[(row.account_id, row.idempotency_key)] = await self._hold(row)
        return found

    async def tickets_used_by(
        self, account_ids: list[str], show_id: str, now: datetime
    ) -> dict[str, int]:
        """tickets_used for several accounts at once (two queries, not two per account)."""
        used = dict.fromkeys(account_ids, 0)
        held = await self._conn.execute(
            select(holds.c.account_id, func.sum(holds.c.quantity))
            .where(
                holds.c.account_id.in_(account_ids),
                holds.c.show_id == show_id,
                holds.c.status == ACTIVE,
                holds.c.expires_at > now,
            )
            .group_by(holds.c.account_id)
        )
        bought = await self._conn.execute(
            select(tickets.c.account_id, func.count())
            .where(
                tickets.c.account_id.in_(account_ids), tickets.c.show_id == show_id,
                tickets.c.status.in_(HOLDING_PLACE),
            )  # fmt: skip
            .group_by(tickets.c.account_id)
        )
        for account_id, count in [*held.all(), *bought.all()]:
            used[account_id] += int(count or 0)
        return used

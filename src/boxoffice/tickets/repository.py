"""Ticket state changes after the sale, in SQL. Each is one conditional UPDATE
whose row count says who won (a refund racing a check-in, a transfer racing
a listing), and each records its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.ids import new_id, new_ticket_code
from boxoffice.orders.domain import Ticket
from boxoffice.orders.repository import _ticket, _ticket_query
from boxoffice.storage.tables import orders, tickets
from boxoffice.tickets.domain import HOLDING_PLACE, TicketStatus


def ticket_event(ticket: Ticket, action: Action, at: datetime, **detail: Any) -> AuditEvent:
    if ticket.seat_id is not None:
        detail["seat_id"] = ticket.seat_id
    return AuditEvent(
        at=at, entity=Entity.TICKET, entity_id=ticket.id, action=action, show_id=ticket.show_id,
        section_id=ticket.section_id, account_id=ticket.account_id, order_id=ticket.order_id,
        quantity=1, detail={k: v for k, v in detail.items() if v is not None},
    )  # fmt: skip


class TicketRepository:
    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    async def move(
        self, ticket: Ticket, allowed: Iterable[TicketStatus], to: TicketStatus,
        now: datetime, action: Action, *, used_too: bool = False, **detail: Any,
    ) -> bool:  # fmt: skip
        """Move an unused ticket (or a used one too: a cancelled show) from one
        of `allowed` to `to`; True only for the one caller that did. A void or
        refunded ticket gives up its seat."""
        values: dict[str, Any] = {"status": to.value}
        if to in (TicketStatus.VOID, TicketStatus.REFUNDED):
            values["seat_id"] = None
        result = await self._conn.execute(
            update(tickets)
            .where(
                tickets.c.id == ticket.id, tickets.c.status.in_([s.value for s in allowed]),
                *(() if used_too else (tickets.c.checked_in_at.is_(None),)),
            )
            .values(**values)
        )  # fmt: skip
        if result.rowcount != 1:
            return False
        self._audit.add(ticket_event(ticket, action, now, **detail))
        return True

    async def reissue(
        self, old: Ticket, account_id: str, now: datetime, *, order_id: str | None = None,
        transfers: int | None = None, price_cents: int | None = None,
    ) -> Ticket:  # fmt: skip
        """A new ticket (new code) for the place of `old`, which the caller voided
        first in the same transaction: never two valid codes for one seat."""
        new = Ticket(
            id=new_id(), code=new_ticket_code(), order_id=order_id or old.order_id,
            account_id=account_id, show_id=old.show_id, section_id=old.section_id,
            seat_id=old.seat_id, price_cents=old.price_cents if price_cents is None else price_cents,
            issued_at=now, section_name=old.section_name, seat_label=old.seat_label,
            show_name=old.show_name, transfers=old.transfers if transfers is None else transfers,
        )  # fmt: skip
        await self._conn.execute(
            insert(tickets).values(
                id=new.id, code=new.code, order_id=new.order_id, account_id=new.account_id,
                show_id=new.show_id, section_id=new.section_id, seat_id=new.seat_id,
                price_cents=new.price_cents, issued_at=now, status=TicketStatus.VALID.value,
                transfers=new.transfers, previous_id=old.id,
            )
        )  # fmt: skip
        self._audit.add(ticket_event(new, Action.ISSUED, now, replaces=old.id))
        return new

    async def of_account(self, account_id: str, show_id: str | None = None) -> list[Ticket]:
        """An account's tickets that hold a place (valid or listed), bought or received."""
        query = _ticket_query().where(
            tickets.c.account_id == account_id, tickets.c.status.in_(HOLDING_PLACE)
        )
        if show_id is not None:
            query = query.where(tickets.c.show_id == show_id)
        rows = await self._conn.execute(query.order_by(tickets.c.issued_at, tickets.c.code))
        return [_ticket(row) for row in rows]

    async def of_order(self, order_id: str) -> list[Ticket]:
        rows = await self._conn.execute(
            _ticket_query().where(tickets.c.order_id == order_id).order_by(tickets.c.code)
        )
        return [_ticket(row) for row in rows]

    async def valid_of_show(self, show_id: str) -> list[Ticket]:
        rows = await self._conn.execute(
            _ticket_query()
            .where(tickets.c.show_id == show_id, tickets.c.status == TicketStatus.VALID.value)
            .order_by(tickets.c.code)
        )
        return [_ticket(row) for row in rows]

    async def by_id(self, ticket_id: str) -> Ticket | None:
        row = (await self._conn.execute(_ticket_query().where(tickets.c.id == ticket_id))).first()
        return _ticket(row) if row else None

    async def received(self, account_id: str) -> list[Ticket]:
        """Tickets an account holds from someone else's order (transfers to it)."""
        rows = await self._conn.execute(
            _ticket_query()
            .join(orders, orders.c.id == tickets.c.order_id)
            .where(
                tickets.c.account_id == account_id, tickets.c.status.in_(HOLDING_PLACE),
                orders.c.account_id != account_id,
            )
            .order_by(tickets.c.issued_at, tickets.c.code)
        )  # fmt: skip
        return [_ticket(row) for row in rows]

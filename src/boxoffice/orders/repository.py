"""Orders and tickets in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.storage.tables import holds, orders, seats, sections, shows, tickets

_TICKET_COLUMNS = (
    tickets,
    sections.c.name.label("section_name"),
    seats.c.row_label,
    seats.c.number,
    shows.c.name.label("show_name"),
)


def _ticket_query():  # type: ignore[no-untyped-def]
    return (
        select(*_TICKET_COLUMNS)
        .join(sections, sections.c.id == tickets.c.section_id)
        .join(shows, shows.c.id == tickets.c.show_id)
        .outerjoin(seats, seats.c.id == tickets.c.seat_id)
    )


def _ticket(row) -> Ticket:  # type: ignore[no-untyped-def]
    return Ticket(
        id=row.id,
        code=row.code,
        order_id=row.order_id,
        account_id=row.account_id,
        show_id=row.show_id,
        section_id=row.section_id,
        seat_id=row.seat_id,
        price_cents=row.price_cents,
        issued_at=row.issued_at,
        checked_in_at=row.checked_in_at,
        section_name=row.section_name,
        seat_label=f"{row.row_label}-{row.number}" if row.seat_id is not None else None,
        show_name=row.show_name,
        status=row.status,
        transfers=row.transfers,
    )


def _order(row) -> Order:  # type: ignore[no-untyped-def]
    return Order(
        id=row.id,
        account_id=row.account_id,
        hold_id=row.hold_id,
        show_id=row.show_id,
        status=OrderStatus(row.status),
        amount_cents=row.amount_cents,
        currency=row.currency,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        failure_reason=row.failure_reason,
        payment_reference=row.payment_reference,
        refunded_cents=row.refunded_cents,
    )


def _order_event(order: Order, action: Action, at: datetime, **detail: object) -> AuditEvent:
    return AuditEvent(
        at=at, entity=Entity.ORDER, entity_id=order.id, action=action, show_id=order.show_id,
        account_id=order.account_id, hold_id=order.hold_id, order_id=order.id,
        detail={k: v for k, v in detail.items() if v is not None},
    )  # fmt: skip


def created_event(order: Order) -> AuditEvent:
    return _order_event(
        order, Action.CREATED, order.created_at, amount_cents=order.amount_cents, currency=order.currency
    )


def settled_event(
    order: Order, status: OrderStatus, now: datetime, reference: str | None, reason: str | None
) -> AuditEvent:
    """The audit event of an order moving from PENDING to `status`."""
    paid = status is OrderStatus.PAID
    return _order_event(
        order, Action(status.value), now, payment_reference=reference, reason=reason,
        amount_cents=order.amount_cents if paid else None, currency=order.currency if paid else None,
    )  # fmt: skip


def issued_event(ticket: Ticket) -> AuditEvent:
    return _ticket_event(ticket, Action.ISSUED, ticket.issued_at)


def _ticket_event(ticket: Ticket, action: Action, at: datetime) -> AuditEvent:
    return AuditEvent(
        at=at, entity=Entity.TICKET, entity_id=ticket.id, action=action,
        show_id=ticket.show_id, section_id=ticket.section_id, account_id=ticket.account_id,
        order_id=ticket.order_id, quantity=1,
        detail={"seat_id": ticket.seat_id} if ticket.seat_id is not None else {},
    )  # fmt: skip


class OrderRepository:
    """Every write here also records its audit event (written at commit)."""

    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    async def add(self, order: Order) -> None:
        await self._conn.execute(
            insert(orders).values(
                id=order.id,
                account_id=order.account_id,
                hold_id=order.hold_id,
                show_id=order.show_id,
                status=order.status.value,
                amount_cents=order.amount_cents,
                currency=order.currency,
                idempotency_key=order.idempotency_key,
                created_at=order.created_at,
                updated_at=order.updated_at,
            )
        )
        self._audit.add(created_event(order))

    async def get(self, order_id: str) -> Order | None:
        row = (await self._conn.execute(select(orders).where(orders.c.id == order_id))).first()
        return await self._with_tickets(_order(row)) if row else None

    async def by_idempotency_key(self, account_id: str, key: str) -> Order | None:
        row = (
            await self._conn.execute(
                select(orders).where(
                    orders.c.account_id == account_id, orders.c.idempotency_key == key
                )
            )
        ).first()
        return await self._with_tickets(_order(row)) if row else None

    async def for_account(self, account_id: str) -> list[Order]:
        rows = await self._conn.execute(
            select(orders)
            .where(orders.c.account_id == account_id)
            .order_by(orders.c.created_at.desc())
        )
        found = [_order(row) for row in rows]
        ticket_rows = await self._conn.execute(
            _ticket_query()
            .where(tickets.c.account_id == account_id)
            .order_by(tickets.c.issued_at, tickets.c.seat_id, tickets.c.code)
        )
        by_order: dict[str, list[Ticket]] = {}
        for row in ticket_rows:
            by_order.setdefault(row.order_id, []).append(_ticket(row))
        for order in found:
            order.tickets = by_order.get(order.id, [])
        return found

    async def paid_at(self, show_id: str, since: datetime) -> list[datetime]:
        """When each of a show's orders since `since` was paid."""
        rows = await self._conn.execute(
            select(orders.c.updated_at).where(
                orders.c.show_id == show_id, orders.c.status == OrderStatus.PAID.value,
                orders.c.updated_at >= since,
            )
        )  # fmt: skip
        return list(rows.scalars())

    async def paid_for_hold(self, hold_id: str) -> Order | None:
        row = (
            await self._conn.execute(
                select(orders).where(
                    orders.c.hold_id == hold_id, orders.c.status == OrderStatus.PAID.value
                )
            )
        ).first()
        return _order(row) if row else None

    async def states(self, order_ids: list[str]) -> dict[str, tuple[str, str, datetime]]:
        """Each order's status with its hold's status and expiry (settling reads
        them under the section locks)."""
        rows = await self._conn.execute(
            select(orders.c.id, orders.c.status, holds.c.status, holds.c.expires_at)
            .join(holds, holds.c.id == orders.c.hold_id)
            .where(orders.c.id.in_(order_ids))
        )
        return {order_id: (status, hold_status, until) for order_id, status, hold_status, until in rows}

    async def _with_tickets(self, order: Order) -> Order:
        rows = await self._conn.execute(
            _ticket_query()
            .where(tickets.c.order_id == order.id)
            .order_by(tickets.c.seat_id, tickets.c.code)
        )
        order.tickets = [_ticket(row) for row in rows]
        return order

    async def settle(
        self,
        order: Order,
        status: OrderStatus,
        now: datetime,
        *,
        reference: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """PENDING -> PAID or FAILED; True only for the one caller that moved it."""
        result = await self._conn.execute(
            update(orders)
            .where(orders.c.id == order.id, orders.c.status == OrderStatus.PENDING.value)
            .values(
                status=status.value,
                updated_at=now,
                payment_reference=reference,
                failure_reason=reason,
            )
        )
        if result.rowcount != 1:
            return False
        self._audit.add(settled_event(order, status, now, reference, reason))
        return True

    async def add_tickets(self, issued: list[Ticket]) -> None:
        await self._conn.execute(
            insert(tickets),
            [
                {
                    "id": t.id,
                    "code": t.code,
                    "order_id": t.order_id,
                    "account_id": t.account_id,
                    "show_id": t.show_id,
                    "section_id": t.section_id,
                    "seat_id": t.seat_id,
                    "price_cents": t.price_cents,
                    "issued_at": t.issued_at,
                }
                for t in issued
            ],
        )
        for t in issued:
            self._audit.add(_ticket_event(t, Action.ISSUED, t.issued_at))

    async def ticket(self, code: str) -> Ticket | None:
        row = (await self._conn.execute(_ticket_query().where(tickets.c.code == code))).first()
        return _ticket(row) if row else None

    async def check_in(self, ticket: Ticket, now: datetime) -> bool:
        """Mark a valid ticket used; True only the first time (the row count
        decides a check-in racing a refund, a transfer or a listing)."""
        result = await self._conn.execute(
            update(tickets)
            .where(
                tickets.c.id == ticket.id, tickets.c.checked_in_at.is_(None),
                tickets.c.status == "valid",  # listed, void, refunded: tickets/domain.py
            )  # fmt: skip
            .values(checked_in_at=now)
        )
        if result.rowcount != 1:
            return False
        self._audit.add(_ticket_event(ticket, Action.CHECKED_IN, now))
        return True

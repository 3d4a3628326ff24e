"""Refunds in SQL, and the order's refunded total."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.refunds.domain import Reason, Refund, RefundStatus
from boxoffice.storage.tables import holds, orders, refunds


def _refund(row) -> Refund:  # type: ignore[no-untyped-def]
    return Refund(
        id=row.id, order_id=row.order_id, account_id=row.account_id, show_id=row.show_id,
        amount_cents=row.amount_cents, currency=row.currency, reason=Reason(row.reason),
        status=RefundStatus(row.status), requested_by=row.requested_by,
        idempotency_key=row.idempotency_key, created_at=row.created_at,
        payment_reference=row.payment_reference, settled_at=row.settled_at, attempts=row.attempts,
    )  # fmt: skip


def _event(refund: Refund, action: Action, at: datetime, **detail: object) -> AuditEvent:
    return AuditEvent(
        at=at, entity=Entity.REFUND, entity_id=refund.id, action=action, show_id=refund.show_id,
        account_id=refund.account_id, order_id=refund.order_id,
        detail={"amount_cents": refund.amount_cents, "reason": refund.reason.value, **detail},
    )  # fmt: skip


class RefundRepository:
    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    async def add(self, refund: Refund, order: Order) -> None:
        """Record a pending refund and add it to its order's refunded total (the
        order becomes REFUNDED once all of it is)."""
        await self._conn.execute(
            insert(refunds).values(
                id=refund.id, order_id=refund.order_id, account_id=refund.account_id,
                show_id=refund.show_id, amount_cents=refund.amount_cents, currency=refund.currency,
                reason=refund.reason.value, status=refund.status.value,
                requested_by=refund.requested_by, idempotency_key=refund.idempotency_key,
                created_at=refund.created_at,
            )
        )  # fmt: skip
        total = orders.c.refunded_cents + refund.amount_cents
        await self._conn.execute(
            update(orders)
            .where(orders.c.id == order.id)
            .values(
                refunded_cents=total, updated_at=refund.created_at,
                status=case((total >= orders.c.amount_cents, OrderStatus.REFUNDED.value), else_=orders.c.status),
            )
        )  # fmt: skip
        self._audit.add(_event(refund, Action.CREATED, refund.created_at, requested_by=refund.requested_by))

    async def by_key(self, requested_by: str, key: str) -> Refund | None:
        row = (
            await self._conn.execute(
                select(refunds).where(refunds.c.requested_by == requested_by, refunds.c.idempotency_key == key)
            )
        ).first()
        return _refund(row) if row else None

    async def get(self, refund_id: str) -> Refund | None:
        row = (await self._conn.execute(select(refunds).where(refunds.c.id == refund_id))).first()
        return _refund(row) if row else None

    async def of_order(self, order_id: str) -> list[Refund]:
        rows = await self._conn.execute(
            select(refunds).where(refunds.c.order_id == order_id).order_by(refunds.c.created_at)
        )
        return [_refund(row) for row in rows]

    async def pending(self, limit: int, show_id: str | None = None) -> list[Refund]:
        query = select(refunds).where(refunds.c.status == RefundStatus.PENDING.value)
        if show_id is not None:
            query = query.where(refunds.c.show_id == show_id)
        rows = await self._conn.execute(query.order_by(refunds.c.created_at).limit(limit))
        return [_refund(row) for row in rows]

    async def tried(self, refund_id: str) -> None:
        await self._conn.execute(
            update(refunds).where(refunds.c.id == refund_id).values(attempts=refunds.c.attempts + 1)
        )

    async def sent(self, refund: Refund, reference: str, now: datetime) -> bool:
        """PENDING -> SENT; True only for the one sender that moved it."""
        result = await self._conn.execute(
            update(refunds)
            .where(refunds.c.id == refund.id, refunds.c.status == RefundStatus.PENDING.value)
            .values(status=RefundStatus.SENT.value, payment_reference=reference, settled_at=now)
        )
        if result.rowcount != 1:
            return False
        self._audit.add(_event(refund, Action.SENT, now, payment_reference=reference))
        return True

    async def of_show(self, show_id: str) -> list[Refund]:
        rows = await self._conn.execute(select(refunds).where(refunds.c.show_id == show_id))
        return [_refund(row) for row in rows]

    async def paid_orders(self, show_id: str) -> list[str]:
        """The ids of a show's paid orders (a cancellation refunds each)."""
        rows = await self._conn.execute(
            select(orders.c.id)
            .where(orders.c.show_id == show_id, orders.c.status == OrderStatus.PAID.value)
            .order_by(orders.c.created_at)
        )
        return list(rows.scalars())

    async def live_holds(self, section_ids: list[str], now: datetime) -> list[str]:
        """The live holds of these sections (ix_holds_section_live)."""
        rows = await self._conn.execute(
            select(holds.c.id).where(
                holds.c.section_id.in_(section_ids), holds.c.status == "active", holds.c.expires_at > now
            )
        )
        return list(rows.scalars())

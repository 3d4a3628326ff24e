"""Asynchronous payments and applied webhook events in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.payments.domain import Payment, PaymentStatus
from boxoffice.storage.tables import payment_events, payments

OPEN = (PaymentStatus.PENDING.value, PaymentStatus.REFUND_DUE.value)


def _payment(row) -> Payment:  # type: ignore[no-untyped-def]
    return Payment(
        order_id=row.order_id, reference=row.reference, method=row.method,
        status=PaymentStatus(row.status), amount_cents=row.amount_cents, currency=row.currency,
        copy_paste=row.copy_paste, pay_url=row.pay_url, hold_id=row.hold_id,
        deadline=row.deadline, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


class PaymentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, payment: Payment) -> bool:
        """Record a payment once; False if this order's payment is already recorded."""
        if await self.get(payment.order_id) is not None:
            return False
        await self._conn.execute(
            insert(payments).values(
                order_id=payment.order_id, reference=payment.reference, method=payment.method,
                status=payment.status.value, amount_cents=payment.amount_cents,
                currency=payment.currency, copy_paste=payment.copy_paste,
                pay_url=payment.pay_url, hold_id=payment.hold_id, deadline=payment.deadline,
                created_at=payment.created_at, updated_at=payment.updated_at,
            )
        )  # fmt: skip
        return True

    async def get(self, order_id: str) -> Payment | None:
        row = (await self._conn.execute(select(payments).where(payments.c.order_id == order_id))).first()
        return _payment(row) if row else None

    async def by_reference(self, reference: str) -> Payment | None:
        row = (
            await self._conn.execute(select(payments).where(payments.c.reference == reference))
        ).first()
        return _payment(row) if row else None

    async def pending_for_hold(self, hold_id: str) -> Payment | None:
        row = (
            await self._conn.execute(
                select(payments).where(
                    payments.c.hold_id == hold_id, payments.c.status == PaymentStatus.PENDING.value
                )
            )
        ).first()
        return _payment(row) if row else None

    async def open_before(self, moment: datetime, limit: int = 100) -> list[Payment]:
        """Payments still pending (or owing a refund) created before `moment`, oldest first."""
        rows = await self._conn.execute(
            select(payments)
            .where(payments.c.status.in_(OPEN), payments.c.created_at <= moment)
            .order_by(payments.c.created_at)
            .limit(limit)
        )
        return [_payment(row) for row in rows]

    async def set_status(self, order_id: str, status: PaymentStatus, now: datetime) -> None:
        await self._conn.execute(
            update(payments)
            .where(payments.c.order_id == order_id, payments.c.status != status.value)
            .values(status=status.value, updated_at=now)
        )

    async def seen(self, event_id: str) -> bool:
        found = await self._conn.scalar(
            select(payment_events.c.event_id).where(payment_events.c.event_id == event_id)
        )
        return found is not None

    async def remember(self, event_id: str, reference: str, kind: str, now: datetime) -> bool:
        """Record an applied event; False if it was already recorded (a duplicate)."""
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(payment_events).values(
                        event_id=event_id, reference=reference, type=kind[:32], received_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

"""Refund API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from boxoffice.refunds.domain import Refund
from boxoffice.refunds.service import Cancellation


class RefundOut(BaseModel):
    refund_id: str
    order_id: str
    amount_cents: int
    currency: str
    reason: str
    status: str
    created_at: datetime
    settled_at: datetime | None

    @classmethod
    def of(cls, r: Refund) -> RefundOut:
        return cls(
            refund_id=r.id, order_id=r.order_id, amount_cents=r.amount_cents, currency=r.currency,
            reason=r.reason.value, status=r.status.value, created_at=r.created_at, settled_at=r.settled_at,
        )  # fmt: skip


class CancellationOut(BaseModel):
    show_id: str
    refunds: int
    holds_released: int
    already_cancelled: bool

    @classmethod
    def of(cls, c: Cancellation) -> CancellationOut:
        return cls(show_id=c.show_id, refunds=c.refunds, holds_released=c.holds_released, already_cancelled=c.already)

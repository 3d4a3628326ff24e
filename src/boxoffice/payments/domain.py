"""Asynchronous payments: pure rules.

A payment row follows its order: PENDING while the fan may still pay (the
hold is kept alive until the payment deadline), then PAID, FAILED, or
REFUND_DUE -> REFUNDED when money arrived for an order that could no longer
be sold (the hold had expired, or the fan paid twice).

Webhooks may come late, twice or out of order, and the reconciliation job
may learn the same news by asking; so what to do is decided from the state
of the order and the provider's status of the charge, never from the order
in which the news arrived (`next_step`). Every step is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.orders.domain import OrderStatus


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"


class Step(StrEnum):
    SETTLE = "settle"  # money in, order pending: sell the hold (or refund if it is gone)
    FAIL = "fail"  # the charge will never be paid: the order fails
    REFUND = "refund"  # money in for an order that failed: give it back
    EXPIRE = "expire"  # past the deadline and still unpaid: cancel the charge, fail the order
    RECORD = "record"  # nothing to decide; bring the payment row up to date
    WAIT = "wait"


# The provider's statuses of a charge.
PAID, REFUNDED, DECLINED, CANCELLED, PENDING = "paid", "refunded", "declined", "cancelled", "pending"


@dataclass(frozen=True, slots=True)
class Payment:
    order_id: str
    reference: str
    method: str
    status: PaymentStatus
    amount_cents: int
    currency: str
    copy_paste: str
    pay_url: str | None
    hold_id: str
    deadline: datetime
    created_at: datetime
    updated_at: datetime


def next_step(order: OrderStatus, provider: str, past_deadline: bool) -> Step:
    """What the shop does given its order and the provider's word on the charge."""
    if provider == PAID:
        return Step.SETTLE if order is OrderStatus.PENDING else (
            Step.RECORD if order is OrderStatus.PAID else Step.REFUND
        )
    if provider in (DECLINED, CANCELLED):
        return Step.FAIL if order is OrderStatus.PENDING else Step.RECORD
    if provider == REFUNDED:
        return Step.RECORD
    return Step.EXPIRE if past_deadline and order is OrderStatus.PENDING else Step.WAIT


def status_after(order: OrderStatus, provider: str) -> PaymentStatus:
    """The payment row's status once the order is what it is and the provider says `provider`."""
    if provider == REFUNDED:
        return PaymentStatus.REFUNDED
    if order is OrderStatus.PAID:
        return PaymentStatus.PAID
    if order is OrderStatus.FAILED:
        return PaymentStatus.REFUND_DUE if provider == PAID else PaymentStatus.FAILED
    return PaymentStatus.PENDING

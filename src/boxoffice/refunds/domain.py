"""Refunds. Pure rules.

A refund is written PENDING in the transaction that gives the tickets up
(they are REFUNDED, their places back on sale), then sent to the payment
gateway after the commit and marked SENT. A send that fails stays PENDING
and is retried (the refund's id is the gateway's idempotency key), so money
is never lost and never paid twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import NothingToRefund
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.tickets.domain import HOLDING_PLACE


class RefundStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"


class Reason(StrEnum):
    ORGANISER = "organiser"
    FAN = "fan"
    SHOW_CANCELLED = "show_cancelled"
    RESALE = "resale"  # a seller's ticket was bought on the resale market


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    order_id: str
    account_id: str
    show_id: str
    amount_cents: int
    currency: str
    reason: Reason
    status: RefundStatus
    requested_by: str
    idempotency_key: str
    created_at: datetime
    payment_reference: str | None = None
    settled_at: datetime | None = None
    attempts: int = 0


def refundable(order: Order, tickets: list[Ticket], holder: str | None = None, *, used_too: bool = False) -> list[Ticket]:
    """The tickets of a paid order that can be refunded: holding a place, not
    used (unless the show is cancelled), and held by `holder` when given (a
    fan refunds only what they hold, not what they transferred away)."""
    if order.status is not OrderStatus.PAID:
        raise NothingToRefund("Only a paid order can be refunded.", order_id=order.id)
    found = [
        t for t in tickets
        if t.status in HOLDING_PLACE and (used_too or t.checked_in_at is None)
        and (holder is None or t.account_id == holder)
    ]  # fmt: skip
    if not found:
        raise NothingToRefund(order_id=order.id)
    return found

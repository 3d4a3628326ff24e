"""Orders and tickets. Pure rules.

An order is PENDING until its payment answers, then PAID (tickets issued) or
FAILED (no tickets; the hold stays until its expiry). A hold becomes at most
one PAID order. An asynchronous payment (Pix) keeps its order PENDING, and
its hold alive, until the provider's webhook or the payment deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"  # every ticket of it refunded (refunds/)


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    code: str
    order_id: str
    account_id: str
    show_id: str
    section_id: str
    seat_id: int | None
    price_cents: int
    issued_at: datetime
    checked_in_at: datetime | None = None
    section_name: str = ""
    seat_label: str | None = None
    show_name: str = ""
    status: str = "valid"  # tickets/domain.py: TicketStatus
    transfers: int = 0


@dataclass(slots=True)
class Order:
    id: str
    account_id: str
    hold_id: str
    show_id: str
    status: OrderStatus
    amount_cents: int
    currency: str
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    failure_reason: str | None = None
    payment_reference: str | None = None
    refunded_cents: int = 0
    tickets: list[Ticket] = field(default_factory=list)
    payment: Any = None  # payments.domain.Payment of an asynchronous (Pix) payment

"""Audit events. Pure data.

One event per state change of a hold (created, released, expired,
converted), an order (created, paid, failed) or a ticket (issued, checked
in). Events are written in the same transaction as the change they describe,
so the trail never shows a change that did not happen, nor misses one that
did; the table only ever grows (the database refuses UPDATE and DELETE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Entity(StrEnum):
    HOLD = "hold"
    ORDER = "order"
    TICKET = "ticket"
    # after the sale
    SHOW = "show"
    REFUND = "refund"
    TRANSFER = "transfer"
    LISTING = "listing"
    WAITLIST = "waitlist"


class Action(StrEnum):
    CREATED = "created"
    RELEASED = "released"
    EXPIRED = "expired"
    CONVERTED = "converted"
    PAID = "paid"
    FAILED = "failed"
    ISSUED = "issued"
    CHECKED_IN = "checked_in"
    # after the sale
    LISTED = "listed"
    WITHDRAWN = "withdrawn"
    VOIDED = "voided"
    REFUNDED = "refunded"
    SENT = "sent"
    TRANSFERRED = "transferred"
    RESERVED = "reserved"
    SOLD = "sold"
    CANCELLED = "cancelled"
    RULES = "rules"
    JOINED = "joined"
    LEFT = "left"
    OFFERED = "offered"
    SKIPPED = "skipped"
    EXTENDED = "extended"  # a hold kept alive until a pending payment's deadline


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    entity: Entity
    entity_id: str
    action: Action
    show_id: str
    section_id: str | None = None
    account_id: str | None = None
    hold_id: str | None = None
    order_id: str | None = None
    quantity: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    """The events of one unit of work, written just before it commits."""

    def __init__(self) -> None:
        self.pending: list[AuditEvent] = []

    def add(self, event: AuditEvent) -> None:
        self.pending.append(event)

"""Webhook API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.outbox.domain import Message
from boxoffice.webhooks.domain import Endpoint

EventType = Literal["order.paid", "order.refunded", "ticket.checked_in"]


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=500, description="https:// (http only to loopback, outside production)")
    events: list[EventType] = Field(min_length=1, max_length=3)
    description: str = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: datetime
    secret: str = Field(description="Signs each delivery: X-Boxoffice-Signature t=<unix>,v1=HMAC-SHA256(\"<t>.<body>\")")

    @classmethod
    def of(cls, e: Endpoint) -> EndpointOut:
        return cls(
            id=e.id, url=e.url, events=list(e.events), description=e.description, active=e.active,
            created_at=e.created_at, secret=e.secret,
        )  # fmt: skip


class DeliveryOut(BaseModel):
    id: str = Field(description="Sent as X-Boxoffice-Delivery, the same on every retry")
    event_id: str
    type: str
    status: str = Field(description="pending | sending | sent | dead")
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, m: Message) -> DeliveryOut:
        return cls(
            id=m.id, event_id=str(m.payload.get("event_id")), type=str(m.payload.get("type")),
            status=m.status.value, attempts=m.attempts, created_at=m.created_at,
            next_attempt_at=m.next_attempt_at if m.status.value in ("pending", "sending") else None,
            sent_at=m.sent_at, last_error=m.last_error,
        )  # fmt: skip

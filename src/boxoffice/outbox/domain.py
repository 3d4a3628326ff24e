"""The outbox's pure rules: what a message is, its states, and the retry backoff.

A message is written in the same transaction as the change it reports (an
order paid, an account registered), so it exists if and only if the change
committed. A worker delivers it later, outside any transaction:

    pending --claim--> sending --delivered--> sent
       ^                  |  \\--failed, attempts left--> pending (next_attempt_at = backoff)
       |                  |   \\--failed for good / no attempts left--> dead
       +--claim expired---+   (the worker died: the message is due again)

Delivery is at least once: a worker that dies after the SMTP server (or an
organiser's endpoint) took the message but before it marked it sent leaves
it `sending`; when its claim expires another worker sends it again, with the
same Message-ID / delivery id, which the receiver uses to drop the repeat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


# The kinds other packages enqueue. The payload each one carries is listed in
# boxoffice/outbox/__init__.py.
EMAIL_ORDER_CONFIRMATION = "email.order_confirmation"
EMAIL_REGISTRATION = "email.registration"
EMAIL_REGISTRATION_ATTEMPT = "email.registration_attempt"
EMAIL_YOUR_TURN = "email.your_turn"
EMAIL_PRESALE_CODE = "email.presale_code"
EMAIL_NOTICE = "email.notice"
WEBHOOK_EVENT = "webhook.event"
WEBHOOK_DELIVERY = "webhook.delivery"


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    created_at: datetime
    account_id: str | None = None
    recipient: str | None = None
    status: Status = Status.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claim: str | None = None
    sent_at: datetime | None = None
    last_error: str | None = None

    @property
    def message_id(self) -> str:
        """The stable id a receiver deduplicates by (email Message-ID, webhook delivery id)."""
        return f"<{self.id}@boxoffice.outbox>"

    def payload_json(self) -> str:
        return json.dumps(self.payload, sort_keys=True, default=str)


class Undeliverable(Exception):
    """A delivery that can never succeed (a refused address, no such account):
    the message goes `dead` at once instead of being retried."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff: base, 2*base, 4*base ... capped; `max_attempts` tries in all."""

    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    max_attempts: int = 10

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed try (1-based)."""
        exponent = max(attempts - 1, 0)
        return timedelta(seconds=min(self.base_seconds * 2**min(exponent, 32), self.cap_seconds))

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:500]

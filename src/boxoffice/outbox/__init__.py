"""The outbox: notifications written in the same transaction as the change.

Anything that must tell someone about a change (email a fan, call an
organiser's webhook) enqueues a message through the unit of work that makes
the change, before `uow.commit()`:

    from boxoffice import outbox

    async with self._uow(write=True) as uow:
        ...  # the change
        await outbox.enqueue(
            uow, kind=outbox.EMAIL_PRESALE_CODE, account_id=fan_id,
            payload={"show_id": show.id, "code": code}, dedupe_key=f"presale-code:{code_id}",
            now=self._clock.now(),
        )
        await uow.commit()

The message commits with the change or not at all (nothing is sent for a
change that rolled back; nothing is lost when the process dies after the
commit). `dedupe_key` makes enqueueing idempotent: a second message with the
same key is dropped (enqueue returns False), so retried requests and batch
re-runs send once. Sent messages (and so their keys) are kept 30 days. The worker (outbox/service.py, background job "outbox")
delivers with retries and exponential backoff; see outbox/domain.py for the
states and the at-least-once rule.

Kinds and their payloads (emails go to `recipient` if given, else to the
account's email, in the account's language):

- EMAIL_ORDER_CONFIRMATION  {"order_id"}: tickets as PDF + .ics
- EMAIL_REGISTRATION        {}: welcome to a new account
- EMAIL_REGISTRATION_ATTEMPT {}: "someone tried to register with your email"
- EMAIL_YOUR_TURN           {"show_id"}: the waiting room admitted the fan
- EMAIL_PRESALE_CODE        {"show_id", "code", "starts_at"?, "ends_at"?}
- EMAIL_NOTICE              {"subject", "text"} (each a str, or {"en": .., "pt-BR": ..})
- WEBHOOK_EVENT             {"type", "data"}: fanned out to the organisers'
                            endpoints subscribed to `type` (order.paid,
                            order.refunded, ticket.checked_in)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from boxoffice.ids import new_id
from boxoffice.outbox.domain import (
    EMAIL_NOTICE,
    EMAIL_ORDER_CONFIRMATION,
    EMAIL_PRESALE_CODE,
    EMAIL_REGISTRATION,
    EMAIL_REGISTRATION_ATTEMPT,
    EMAIL_YOUR_TURN,
    WEBHOOK_DELIVERY,
    WEBHOOK_EVENT,
    Message,
)
from boxoffice.outbox.repository import OutboxRepository

__all__ = [
    "EMAIL_NOTICE",
    "EMAIL_ORDER_CONFIRMATION",
    "EMAIL_PRESALE_CODE",
    "EMAIL_REGISTRATION",
    "EMAIL_REGISTRATION_ATTEMPT",
    "EMAIL_YOUR_TURN",
    "WEBHOOK_DELIVERY",
    "WEBHOOK_EVENT",
    "enqueue",
    "message",
    "order_paid",
    "paid_order_messages",
    "webhook_event",
]


class HasOutbox(Protocol):
    outbox: OutboxRepository


def message(
    *,
    kind: str,
    dedupe_key: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    account_id: str | None = None,
    recipient: str | None = None,
) -> Message:
    if not account_id and not recipient:
        raise ValueError("an outbox message needs an account_id or a recipient")
    return Message(
        id=new_id(), kind=kind, dedupe_key=dedupe_key, payload=dict(payload or {}),
        created_at=now, account_id=account_id, recipient=recipient, next_attempt_at=now,
    )  # fmt: skip


async def enqueue(
    uow: HasOutbox,
    *,
    kind: str,
    dedupe_key: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    account_id: str | None = None,
    recipient: str | None = None,
) -> bool:
    """Add one message to the unit of work's transaction; False if its dedupe_key was seen."""
    built = message(
        kind=kind, dedupe_key=dedupe_key, now=now, payload=payload,
        account_id=account_id, recipient=recipient,
    )  # fmt: skip
    return await uow.outbox.add([built]) == 1


def webhook_event(
    *, type: str, data: Mapping[str, Any], dedupe_key: str, now: datetime, show_id: str
) -> Message:
    """An event for the organisers' webhooks (fanned out to each subscribed endpoint)."""
    return message(
        kind=WEBHOOK_EVENT, dedupe_key=dedupe_key, now=now, recipient=f"show:{show_id}",
        payload={"type": type, "data": dict(data), "created_at": now.isoformat()},
    )  # fmt: skip


def paid_order_messages(
    *, order_id: str, account_id: str, show_id: str, amount_cents: int, currency: str,
    ticket_codes: list[str], now: datetime,
) -> list[Message]:  # fmt: skip
    """The mail and webhook event of a paid order: confirmation with the tickets, order.paid.
    Code that settles orders without the unit of work (raw asyncpg) inserts these
    with outbox.repository.INSERT_SQL / insert_args, in the same transaction."""
    return [
        message(
            kind=EMAIL_ORDER_CONFIRMATION, account_id=account_id, now=now,
            payload={"order_id": order_id}, dedupe_key=f"order-confirmation:{order_id}",
        ),
        webhook_event(
            type="order.paid", show_id=show_id, now=now, dedupe_key=f"order.paid:{order_id}",
            data={
                "order_id": order_id, "show_id": show_id, "amount_cents": amount_cents,
                "currency": currency, "tickets": ticket_codes,
            },
        ),
    ]  # fmt: skip


async def order_paid(uow: HasOutbox, **order: Any) -> None:
    """Enqueue paid_order_messages(**order) in the unit of work's transaction."""
    await uow.outbox.add(paid_order_messages(**order))

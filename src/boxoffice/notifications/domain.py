"""Notifications. Pure data.

A notification is written in the same transaction as the change it tells
about, so the list never misses a change nor shows one that did not happen;
its email is an outbox message written in that same transaction, so it is
sent (with retries) if and only if the change committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    OFFER = "offer"  # a waiting-list place: tickets reserved for you until ...
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    RESALE_SOLD = "resale_sold"
    REFUND = "refund"
    SHOW_CANCELLED = "show_cancelled"


# What a person reads (msgids: translated in pages/locales); {placeholders} from data.
SUBJECT = "News about your tickets for {show}"
TEXTS = {
    Kind.OFFER: "Tickets came back for {show}: {quantity} reserved for you until {until}.",
    Kind.TRANSFER_IN: "{sender} sent you a ticket for {show}.",
    Kind.TRANSFER_OUT: "Your ticket for {show} now belongs to {receiver}.",
    Kind.RESALE_SOLD: "Your resale ticket for {show} was sold; {amount} is on its way back to you.",
    Kind.REFUND: "{amount} for {show} is being refunded to you.",
    Kind.SHOW_CANCELLED: "{show} was cancelled; your money is being refunded.",
}


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    account_id: str
    kind: Kind
    created_at: datetime
    show_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    read_at: datetime | None = None

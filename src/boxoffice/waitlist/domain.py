"""The waiting list. Pure rules.

One place per account and show, in one section, FIFO by join time. When
tickets come back (a refund, an expired hold, added capacity), the first
waiting fan is offered them as a hold reserved for them for the organiser's
`offer_minutes`; they buy through the normal order flow. An offer not taken
in time lapses and the next fan is offered. A fan who would go over the
account limit when their turn comes is skipped (they bought elsewhere).

    waiting -> offered -> bought | lapsed
    waiting -> skipped | left | closed (show cancelled)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import Conflict, InvalidRequest


class EntryStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOUGHT = "bought"
    LAPSED = "lapsed"
    SKIPPED = "skipped"
    LEFT = "left"
    CLOSED = "closed"


LIVE = (EntryStatus.WAITING.value, EntryStatus.OFFERED.value)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    show_id: str
    section_id: str
    account_id: str
    quantity: int
    status: EntryStatus
    joined_at: datetime
    updated_at: datetime
    hold_id: str | None = None
    offer_expires_at: datetime | None = None

    @property
    def is_live(self) -> bool:
        return self.status.value in LIVE


@dataclass(frozen=True, slots=True)
class ListStats:
    section_id: str
    waiting: int
    offers_out: int
    bought: int
    lapsed: int
    skipped: int


class AlreadyOnList(Conflict):
    code = "already_on_list"
    default_message = "You already have a place on this show's waiting list."


class TicketsAvailable(Conflict):
    code = "tickets_available"
    default_message = "Tickets are still on sale in this section: buy them instead."


def check_join(quantity: int, limit: int, used: int, available: int, existing: Entry | None) -> None:
    if not 1 <= quantity <= limit:
        raise InvalidRequest(f"Ask for 1 to {limit} tickets.", field="quantity")
    if existing is not None and existing.is_live:
        raise AlreadyOnList()
    if used + quantity > limit:
        raise InvalidRequest(
            f"At most {limit} tickets per account for this show; you already have {used}.",
            field="quantity",
        )
    if available >= quantity:
        raise TicketsAvailable(available=available)

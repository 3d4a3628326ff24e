"""Holds: temporary reservations with an expiry. Pure rules.

A hold is alive while its status is ACTIVE and its expiry is in the future.
Nothing has to run for a hold to expire: every reader asks `is_live(now)`,
and availability counts only live holds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import InvalidRequest, LimitExceeded
from boxoffice.inventory.domain import Section, SectionKind


MAX_SEAT_ID = 2**31 - 1  # seat ids are 32-bit integers in both databases


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    EXPIRED = "expired"
    CONVERTED = "converted"


@dataclass(frozen=True, slots=True)
class HoldRequest:
    show_id: str
    section_id: str
    quantity: int | None = None
    seat_ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        """A seat id no seat can have is bad input, found before any SQL (an
        out-of-range integer would fail inside the database driver)."""
        if self.seat_ids and not all(1 <= s <= MAX_SEAT_ID for s in self.seat_ids):
            raise InvalidRequest("No seat has that id.", field="seat_ids")
        if self.quantity is not None and not 0 <= self.quantity <= MAX_SEAT_ID:
            raise InvalidRequest("Give a sensible number of tickets.", field="quantity")

    def validated_quantity(self, section: Section, max_quantity: int) -> int:
        """How many tickets this asks for, once it is known to fit the section's kind."""
        if section.kind is SectionKind.GA:
            if self.seat_ids is not None:
                raise InvalidRequest(
                    "This section is general admission: ask for a quantity, not seats."
                )
            if self.quantity is None:
                raise InvalidRequest("Give the number of tickets (quantity).", field="quantity")
            quantity = self.quantity
        elif self.best_available:
            quantity = self.quantity  # type: ignore[assignment]
        else:
            if not self.seat_ids:
                raise InvalidRequest("Pick at least one seat (seat_ids).", field="seat_ids")
            if len(set(self.seat_ids)) != len(self.seat_ids):
                raise InvalidRequest("A seat appears twice in seat_ids.", field="seat_ids")
            if self.quantity is not None and self.quantity != len(self.seat_ids):
                raise InvalidRequest("quantity does not match the number of seats picked.")
            quantity = len(self.seat_ids)
        if not 1 <= quantity <= max_quantity:
            raise InvalidRequest(
                f"A hold is for 1 to {max_quantity} tickets.", field="quantity"
            )
        return quantity

    @property
    def best_available(self) -> bool:
        """A quantity without seat ids: on a numbered section the best free
        adjacent seats are picked (inventory/best.py) under the section's lock."""
        return self.seat_ids is None and self.quantity is not None

    def fingerprint(self) -> str:
        """What an Idempotency-Key is bound to: the same key must mean the same request."""
        body = {
            "show_id": self.show_id,
            "section_id": self.section_id,
            "quantity": self.quantity,
            "seat_ids": sorted(self.seat_ids) if self.seat_ids is not None else None,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class HoldItem:
    seat_id: int | None = None
    label: str | None = None


@dataclass(slots=True)
class Hold:
    id: str
    account_id: str
    show_id: str
    section_id: str
    quantity: int
    status: HoldStatus
    created_at: datetime
    expires_at: datetime
    fingerprint: str
    idempotency_key: str | None = None
    seat_ids: tuple[int, ...] = ()
    # The seats' labels when the writer knew them (not stored: the answer
    # needs no read-back); empty when read from the database.
    seat_labels: tuple[str, ...] = ()

    def is_live(self, now: datetime) -> bool:
        return self.status is HoldStatus.ACTIVE and now < self.expires_at

    def status_at(self, now: datetime) -> HoldStatus:
        """The status a reader should see: an ACTIVE hold past expiry is EXPIRED."""
        if self.status is HoldStatus.ACTIVE and now >= self.expires_at:
            return HoldStatus.EXPIRED
        return self.status


def check_account_limit(limit: int, already: int, requested: int) -> None:
    """Held (live) plus bought plus requested must stay within the show's limit."""
    if already + requested > limit:
        left = max(limit - already, 0)
        raise LimitExceeded(
            f"At most {limit} tickets per account for this show; you can add {left} more.",
            limit=limit,
            remaining=left,
        )

"""Resale listings. Pure rules.

A listing is OPEN from the moment its ticket moves valid -> listed (a listed
ticket cannot be checked in, transferred or listed twice). A buyer reserves
it for a few minutes (buyer_id, reserved_until: a conditional UPDATE decides
between two buyers), pays, and in one transaction the seller's ticket is
void, the buyer's new one issued (new code, same place), the listing SOLD
and the seller's refund written. A reservation that runs out simply lapses:
the listing is open again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import InvalidRequest, NotAllowed
from boxoffice.orders.domain import Ticket
from boxoffice.tickets.domain import check_transferable


class ListingStatus(StrEnum):
    OPEN = "open"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"  # its ticket was refunded (an organiser's refund, a cancelled show)


@dataclass(frozen=True, slots=True)
class Listing:
    id: str
    ticket_id: str
    seller_id: str
    show_id: str
    section_id: str
    price_cents: int
    status: ListingStatus
    created_at: datetime
    updated_at: datetime
    buyer_id: str | None = None
    reserved_until: datetime | None = None
    order_id: str | None = None
    new_ticket_id: str | None = None
    section_name: str = ""
    seat_label: str | None = None

    def is_reserved(self, now: datetime) -> bool:
        return self.reserved_until is not None and self.reserved_until > now

    def is_available(self, now: datetime) -> bool:
        return self.status is ListingStatus.OPEN and not self.is_reserved(now)


def check_listable(ticket: Ticket, seller_id: str) -> None:
    check_transferable(ticket)
    if ticket.transfers > 0:
        raise NotAllowed("A ticket received by transfer cannot be resold.")
    if ticket.account_id != seller_id:
        raise NotAllowed("Only the ticket's holder can list it.")


def check_buyer(listing: Listing, buyer_id: str) -> None:
    if listing.seller_id == buyer_id:
        raise InvalidRequest("You cannot buy your own listing.")


def seller_refund(listing_price: int, face_value: int) -> int:
    """What goes back to the seller's card: the listing price, never more than
    they paid (a refund cannot exceed its charge); above that is the organiser's fee."""
    return min(listing_price, face_value)

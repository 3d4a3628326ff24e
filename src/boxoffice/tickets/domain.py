"""What a ticket can be after it is issued. Pure rules.

    valid --list--> listed --withdraw--> valid
    valid|listed --transfer/resale--> void   (a new ticket with a new code replaces it)
    valid|listed --refund--> refunded        (its place goes back to sale)

Only a valid ticket that was not checked in passes the gate. A void or
refunded ticket keeps no seat, so a seat is in at most one ticket that counts.
"""

from __future__ import annotations

from enum import StrEnum

from boxoffice.errors import AlreadyCheckedIn, TicketNotValid
from boxoffice.orders.domain import Ticket


class TicketStatus(StrEnum):
    VALID = "valid"
    LISTED = "listed"
    VOID = "void"
    REFUNDED = "refunded"


# Tickets that count against an account's limit and hold a place in the section.
HOLDING_PLACE = (TicketStatus.VALID.value, TicketStatus.LISTED.value)


def check_transferable(ticket: Ticket) -> None:
    """A ticket can change hands (transfer, listing) only while valid and unused."""
    if ticket.checked_in_at is not None:
        raise AlreadyCheckedIn(checked_in_at=ticket.checked_in_at.isoformat())
    if ticket.status != TicketStatus.VALID:
        raise TicketNotValid(ticket_status=ticket.status)

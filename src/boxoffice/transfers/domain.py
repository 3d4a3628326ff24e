"""Transfers. Pure rules (the organiser's are in rules/domain.py).

A transfer voids the sender's ticket and issues the receiver a new one (new
code) for the same place, in one transaction: never two valid codes for one
seat. The receiver's per-account limit counts the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boxoffice.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    show_id: str
    old_ticket_id: str
    new_ticket_id: str
    from_account_id: str
    to_account_id: str
    idempotency_key: str
    created_at: datetime
    new_code: str = ""


def check_receiver(sender_id: str, receiver_id: str) -> None:
    if sender_id == receiver_id:
        raise InvalidRequest("You cannot transfer a ticket to yourself.", field="email")

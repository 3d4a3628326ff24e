"""Check-in: one pass through the gate per valid ticket, and the offline list.

With rotating codes on (the show's after-sale rules), the gate takes only a
live rotating code; with them off, the ticket's static code. Either way the
check-in is one conditional UPDATE (orders/repository.py): only a valid,
unused ticket passes, so a check-in racing a refund, a transfer or a listing
lets exactly one of them happen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from boxoffice import outbox
from boxoffice.checkin.domain import DIGITS, STEP, WINDOW, otp, parse, payload, secret_b32, ticket_secret, verify
from boxoffice.clock import Clock
from boxoffice.errors import AlreadyCheckedIn, CodeExpired, NotFound, TicketNotValid
from boxoffice.orders.domain import Ticket
from boxoffice.storage.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class LiveCode:
    payload: str  # what the QR carries
    rotating: bool
    valid_for: int  # seconds until the next code


class CheckinService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, secret: bytes) -> None:
        self._uow = uow
        self._clock = clock
        self._secret = secret

    async def live_code(self, ticket: Ticket) -> LiveCode:
        """What the fan's QR shows now: the rotating payload, or the static code."""
        async with self._uow() as uow:
            rules = await uow.rules.get(ticket.show_id)
        now = self._clock.now()
        if not rules.rotating_codes:
            return LiveCode(ticket.code, False, 0)
        one_time = otp(ticket_secret(self._secret, ticket.code), now)
        return LiveCode(payload(ticket.code, one_time), True, STEP - int(now.timestamp()) % STEP)

    async def check_in(self, scanned: str) -> Ticket:
        """Let a ticket through the gate once."""
        now = self._clock.now()
        read = parse(scanned)
        async with self._uow(write=True) as uow:
            ticket = await uow.orders.ticket(read.code)
            if ticket is None:
                raise NotFound("No ticket has this code.")
            rules = await uow.rules.get(ticket.show_id)
            if read.one_time is not None:
                if not verify(ticket_secret(self._secret, ticket.code), read.one_time, now):
                    raise CodeExpired()
            elif rules.rotating_codes:
                raise CodeExpired("This show uses rotating codes: scan the live code on the fan's phone.")
            if not await uow.orders.check_in(ticket, now):
                current = await uow.orders.ticket(read.code)
                assert current is not None
                if current.checked_in_at is not None:
                    raise AlreadyCheckedIn(checked_in_at=current.checked_in_at.isoformat())
                raise TicketNotValid(ticket_status=current.status)
            await uow.outbox.add([outbox.webhook_event(
                type="ticket.checked_in", show_id=ticket.show_id, now=now,
                dedupe_key=f"ticket.checked_in:{ticket.id}",
                data={"ticket": ticket.code, "order_id": ticket.order_id, "show_id": ticket.show_id,
                      "section": ticket.section_name, "seat": ticket.seat_label,
                      "checked_in_at": now.isoformat()},
            )])  # fmt: skip
            await uow.commit()
        return replace(ticket, checked_in_at=now)

    async def export(self, show_id: str) -> dict[str, object]:
        """Every valid ticket of a show with its secret, for gates that check in
        offline (they verify the rotating code themselves, and sync later)."""
        async with self._uow() as uow:
            show = await uow.shows.get(show_id)
            if show is None:
                raise NotFound(f"Show {show_id} does not exist.")
            rules = await uow.rules.get(show_id)
            tickets = await uow.tickets.valid_of_show(show_id)
        return {
            "show_id": show_id, "show": show.name, "exported_at": self._clock.now().isoformat(),
            "rotating": rules.rotating_codes,
            "totp": {"algorithm": "SHA1", "digits": DIGITS, "period": STEP, "window": WINDOW,
                     "payload": "BX1.<code>.<otp>"},
            "tickets": [
                {"code": t.code, "secret": secret_b32(ticket_secret(self._secret, t.code)),
                 "section": t.section_name, "seat": t.seat_label,
                 "checked_in_at": t.checked_in_at.isoformat() if t.checked_in_at else None}
                for t in tickets
            ],
        }  # fmt: skip

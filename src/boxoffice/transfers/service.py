"""Transfer a ticket to another account, within the organiser's rules."""

from __future__ import annotations

from boxoffice.accounts.domain import Account, normalise_email
from boxoffice.audit.domain import Action
from boxoffice.clock import Clock
from boxoffice.errors import IdempotencyMismatch, InvalidRequest, NotFound, TicketNotValid
from boxoffice.holds.domain import check_account_limit
from boxoffice.ids import new_id
from boxoffice.notifications.domain import Kind
from boxoffice.orders.domain import Ticket
from boxoffice.notifications.service import notify
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.tickets.domain import TicketStatus, check_transferable
from boxoffice.transfers.domain import Transfer, check_receiver


class TransferService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def transfer(self, sender: Account, code: str, email: str, key: str | None) -> Transfer:
        """Void the sender's ticket and issue the receiver a new one, in one
        transaction under the receiver's purchase lock (their limit counts it).
        A retry with the same Idempotency-Key answers with the same transfer."""
        if not key:
            raise InvalidRequest("Send an Idempotency-Key header with every transfer.")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            earlier = await uow.transfers.by_key(sender.id, key)
            if earlier is not None:
                if earlier[1] != code:
                    raise IdempotencyMismatch()
                return earlier[0]
            ticket = await uow.orders.ticket(code)
            if ticket is None or ticket.account_id != sender.id:
                raise NotFound("No such ticket.")
            found = await uow.accounts.by_email(normalise_email(email))
            if found is None:
                raise NotFound("No account has this email.", field="email")
            receiver = found[0]
            check_receiver(sender.id, receiver.id)
            check_transferable(ticket)
            show = await uow.shows.get(ticket.show_id)
            assert show is not None
            (await uow.rules.get(show.id)).check_transfer(now, show.starts_at, ticket.transfers)
            await uow.lock_purchase(receiver.id, show.id)
            used = await uow.holds.tickets_used(receiver.id, show.id, now)
            check_account_limit(show.per_account_limit, used, 1)
            if not await uow.tickets.move(ticket, [TicketStatus.VALID], TicketStatus.VOID, now,
                                          Action.TRANSFERRED, to_account=receiver.id):  # fmt: skip
                raise TicketNotValid()  # a listing, a refund or a check-in got there first
            new = await uow.tickets.reissue(ticket, receiver.id, now, transfers=ticket.transfers + 1)
            transfer = Transfer(new_id(), show.id, ticket.id, new.id, sender.id, receiver.id, key, now, new.code)
            await uow.transfers.add(transfer)
            await notify(uow, receiver.id, Kind.TRANSFER_IN, now, show.id,
                                        show=show.name, sender=sender.name, code=new.code)  # fmt: skip
            await notify(uow, sender.id, Kind.TRANSFER_OUT, now, show.id,
                                        show=show.name, receiver=receiver.name)  # fmt: skip
            await uow.commit()
        return transfer

    async def received(self, account: Account) -> list[Ticket]:
        """The tickets others gave this account (they are in the giver's order)."""
        async with self._uow() as uow:
            return await uow.tickets.received(account.id)

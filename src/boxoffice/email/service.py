"""EmailDeliverer: turns an outbox message into a mail and sends it.

The mail is composed when it is sent, from what the database says then
(the account's address and language, the order's tickets), so a message
stays small in the transaction that enqueues it. The Message-ID is the
outbox message's, the same on every try.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

from boxoffice import outbox
from boxoffice.accounts.domain import Account
from boxoffice.clock import Clock
from boxoffice.email import messages
from boxoffice.email.messages import Envelope, OrderFacts
from boxoffice.email.smtp import Mailer
from boxoffice.outbox.domain import Message, Undeliverable
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory


class EmailDeliverer:
    KINDS = (
        outbox.EMAIL_ORDER_CONFIRMATION, outbox.EMAIL_REGISTRATION,
        outbox.EMAIL_REGISTRATION_ATTEMPT, outbox.EMAIL_YOUR_TURN,
        outbox.EMAIL_PRESALE_CODE, outbox.EMAIL_NOTICE,
    )  # fmt: skip

    def __init__(
        self, uow: UnitOfWorkFactory, mailer: Mailer, clock: Clock, *, sender: str, public_url: str
    ) -> None:
        self._uow = uow
        self.mailer = mailer
        self._clock = clock
        self._sender = sender
        self._url = public_url.rstrip("/")

    def deliverers(self) -> dict[str, EmailDeliverer]:
        return dict.fromkeys(self.KINDS, self)

    async def __call__(self, message: Message) -> None:
        await self.mailer.send(await self.compose(message))

    async def compose(self, message: Message) -> EmailMessage:
        async with self._uow() as uow:
            account = await uow.accounts.get(message.account_id) if message.account_id else None
            if message.account_id and account is None:
                raise Undeliverable(f"no account {message.account_id}")
            envelope = self._envelope(message, account)
            return messages.finish(await self._build(uow, message, envelope), envelope)

    def _envelope(self, message: Message, account: Account | None) -> Envelope:
        to = message.recipient or (account.email if account else None)
        if not to:
            raise Undeliverable("no address")
        return Envelope(
            to=to, name=account.name if account else "",
            language=str(message.payload.get("language") or (account.language if account else "en")),
            message_id=message.message_id, sender=self._sender, date=message.created_at,
        )  # fmt: skip

    async def _build(self, uow: UnitOfWork, message: Message, envelope: Envelope) -> EmailMessage:
        kind, payload, lang = message.kind, message.payload, envelope.language
        if kind == outbox.EMAIL_REGISTRATION:
            return messages.simple(envelope, "registration", email=envelope.to, link=f"{self._url}/login")
        if kind == outbox.EMAIL_REGISTRATION_ATTEMPT:
            return messages.simple(envelope, "attempt", email=envelope.to, link=f"{self._url}/login")
        if kind == outbox.EMAIL_NOTICE:
            return messages.compose(envelope, _in(payload["subject"], lang), _in(payload["text"], lang))
        if kind == outbox.EMAIL_ORDER_CONFIRMATION:  # the PDF is CPU work: off the event loop
            facts = await self._order(uow, str(payload["order_id"]))
            return await asyncio.to_thread(messages.order_confirmation, envelope, facts)
        show = await uow.shows.get(str(payload["show_id"]))
        if show is None:
            raise Undeliverable(f"no show {payload['show_id']}")
        link = f"{self._url}/shows/{show.id}"
        if kind == outbox.EMAIL_YOUR_TURN:
            return messages.simple(envelope, "turn", show=show.name, link=link)
        return messages.presale_code(envelope, show, payload, link)

    async def _order(self, uow: UnitOfWork, order_id: str) -> OrderFacts:
        order = await uow.orders.get(order_id)
        show = await uow.shows.get(order.show_id) if order else None
        if order is None or show is None:
            raise Undeliverable(f"no order {order_id}")
        return OrderFacts(
            order_id=order.id, show_id=show.id, show=show.name, venue=show.venue,
            starts_at=show.starts_at, timezone=show.timezone,
            tickets=[(t.section_name, t.seat_label, t.code) for t in order.tickets],
            link=f"{self._url}/orders/{order.id}",
        )  # fmt: skip


def _in(value: object, language: str) -> str:
    """A notice's subject or text: one string, or one per language."""
    if isinstance(value, dict):
        return str(value.get(language) or value.get("en") or next(iter(value.values()), ""))
    return str(value)

"""Asynchronous payments after the charge: signed webhooks and reconciliation.

The webhook is answered fast: verify the signature (HMAC over timestamp and
body, on the wall clock: the timestamp comes from another machine), skip an
event already applied, apply it, remember its id. Applying an event is
idempotent and decided from state (payments/domain.py: next_step), so late,
duplicate and out-of-order deliveries all end in the same place:

- paid, order pending   -> settle: tickets if the hold is still alive, else
                           the order fails and the money is refunded;
- paid, order failed    -> refund (it came after the deadline, or twice);
- declined / cancelled  -> the pending order fails;
- anything else         -> the payment row is brought up to date.

A refund is written as REFUND_DUE before the provider is asked, so a crash
or a provider outage between the two only delays it: the reconciliation job
(`reconcile`, under the job lease) retries it, and also asks the provider
about every payment left pending, cancelling those past their deadline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from boxoffice.clock import Clock, SystemClock
from boxoffice.errors import InvalidRequest, NotFound, WebhookRejected
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.payments import Charge, Outcome
from boxoffice.orders.service import OrderService
from boxoffice.payments.domain import PAID, PaymentStatus, Step, next_step, status_after
from boxoffice.payments.pix import PixGateway
from boxoffice.payments.signing import SignatureInvalid, verify
from boxoffice.storage.uow import UnitOfWorkFactory

log = logging.getLogger("boxoffice.payments")


@dataclass(frozen=True, slots=True)
class ChargeNews:
    """What the provider says about one charge (a webhook's body, or an answer)."""

    reference: str  # the provider's charge id
    order_id: str  # the shop's reference: the order id
    status: str
    amount_cents: int
    currency: str

    @classmethod
    def parse(cls, charge: Any) -> ChargeNews:
        try:
            return cls(str(charge["id"]), str(charge["reference"]), str(charge["status"]),
                       int(charge["amount_cents"]), str(charge["currency"]))  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequest(f"The webhook's charge is malformed: {exc}") from None

    def charge(self) -> Charge:
        outcome = Outcome.APPROVED if self.status == PAID else Outcome.DECLINED
        return Charge(self.reference, outcome, self.amount_cents, self.currency, "pix", status=self.status)


class PaymentService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, orders: OrderService,
        gateway: PixGateway | None, secret: bytes | None, *, tolerance: float = 300,
        grace_seconds: float = 60, wall: Clock | None = None,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._clock = clock
        self._orders = orders
        self._gateway = gateway
        self._secret = secret
        self._tolerance = tolerance
        self._grace = timedelta(seconds=grace_seconds)
        self._wall = wall or SystemClock()

    @property
    def enabled(self) -> bool:
        return self._gateway is not None and self._secret is not None

    async def webhook(self, body: bytes, signature: str | None) -> str:
        """Apply one signed webhook; returns what happened (for the answer and the log)."""
        if self._secret is None:
            raise NotFound("Pix payments are not configured.")
        try:
            verify(self._secret, signature, body, self._wall.now().timestamp(), self._tolerance)
        except SignatureInvalid as exc:
            raise WebhookRejected(f"Webhook refused: {exc}.") from None
        try:
            event = json.loads(body)
            event_id, kind = str(event["id"]), str(event["type"])
        except (ValueError, KeyError, TypeError):
            raise InvalidRequest("The webhook body is not a provider event.") from None
        news = ChargeNews.parse(event.get("charge"))
        async with self._uow() as uow:
            if await uow.payments.seen(event_id):
                return "duplicate"
        outcome = await self.apply(news)
        async with self._uow(write=True) as uow:
            await uow.payments.remember(event_id, news.reference, kind, self._clock.now())
            await uow.commit()
        return outcome

    async def apply(self, news: ChargeNews) -> str:
        """Bring the order and its payment in line with the provider's word."""
        now = self._clock.now()
        async with self._uow() as uow:
            payment = await uow.payments.by_reference(news.reference)
            order = await uow.orders.get(payment.order_id if payment else news.order_id)
        if order is None or (payment is None and order.amount_cents != news.amount_cents):
            log.warning("payment news for no order of ours: %s", news)
            return "ignored"
        past = payment is not None and now > payment.deadline + self._grace
        step = next_step(order.status, news.status, past)
        if step is Step.EXPIRE and self._gateway is not None:
            news = _news(await self._gateway.cancel(news.reference), news.order_id)
            step = next_step(order.status, news.status, past)
            if step is Step.FAIL:
                return await self._expire(order, news)
        if step in (Step.SETTLE, Step.FAIL):
            order = await self._orders.complete(order.id, news.charge())
        await self._record(order, news)
        if order.status is not OrderStatus.PAID and news.status == PAID:
            return await self._refund(order, news)
        return step.value if step is not Step.SETTLE else order.status.value

    async def _expire(self, order: Order, news: ChargeNews) -> str:
        """Past the deadline, unpaid, and now cancelled at the provider: the order fails."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            await uow.orders.settle(order, OrderStatus.FAILED, now, reference=news.reference,
                                    reason="payment_expired")  # fmt: skip
            await uow.payments.set_status(order.id, PaymentStatus.FAILED, now)
            await uow.commit()
        return "expired"

    async def _record(self, order: Order, news: ChargeNews) -> None:
        async with self._uow(write=True) as uow:
            await uow.payments.set_status(order.id, status_after(order.status, news.status), self._clock.now())
            await uow.commit()

    async def _refund(self, order: Order, news: ChargeNews) -> str:
        """Give back money that arrived for an order that cannot be sold. The row
        already says REFUND_DUE; if the provider fails, reconciliation retries."""
        if self._gateway is None:
            return "refund_due"
        try:
            await self._gateway.refund(news.reference)
        except Exception:  # noqa: BLE001 - stays REFUND_DUE; the next round retries
            log.exception("refund of %s failed; it stays due", news.reference)
            return "refund_due"
        async with self._uow(write=True) as uow:
            await uow.payments.set_status(order.id, PaymentStatus.REFUNDED, self._clock.now())
            await uow.commit()
        log.info("refunded %s of order %s (%s)", news.reference, order.id, order.failure_reason)
        return "refunded"

    async def reconcile(self) -> int:
        """Ask the provider about payments left pending (or owing a refund) for
        longer than the grace period; returns how many changed."""
        if self._gateway is None:
            return 0
        async with self._uow() as uow:
            stale = await uow.payments.open_before(self._clock.now() - self._grace)
        changed = 0
        for payment in stale:
            try:
                news = _news(await self._gateway.status(payment.reference), payment.order_id)
                outcome = await self.apply(news)
            except Exception:  # noqa: BLE001 - one bad payment must not stop the round
                log.exception("reconciling payment %s failed", payment.reference)
                continue
            changed += outcome not in ("wait", "record")
        return changed


def _news(charge: Charge, order_id: str) -> ChargeNews:
    return ChargeNews(charge.reference, order_id, charge.status, charge.amount_cents, charge.currency)

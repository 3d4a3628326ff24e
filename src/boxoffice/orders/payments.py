"""Payment gateways. An order's id is the idempotency key of its charge, so a
retried order is never charged twice.

The fake provider (test mode) decides by the payment payload:
`{"method": "fake", "outcome": "approve" | "decline" | "timeout"}`.

A provider answers a charge at once (approved / declined / timeout) or later
(PENDING: Pix, the fan pays in the bank's app and the provider's signed
webhook says how it went; payments/). `Gateways` picks the provider by the
payment's `method`, so the order service serves both the same way.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from boxoffice.errors import InvalidRequest
from boxoffice.ids import new_id


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    TIMEOUT = "timeout"
    PENDING = "pending"  # asynchronous: the provider confirms later (webhook)


@dataclass(frozen=True, slots=True)
class Charge:
    reference: str
    outcome: Outcome
    amount_cents: int
    currency: str
    method: str = "fake"
    expires_at: datetime | None = None  # a PENDING charge can be paid until then
    copy_paste: str | None = None  # Pix: the "copy and paste" code behind the QR image
    pay_url: str | None = None  # the (test) bank page where the fan approves or declines
    status: str = ""  # an asynchronous provider's own word: pending, paid, declined, refunded...


class PaymentGateway(Protocol):
    def validate(self, payment: dict[str, Any]) -> None:
        """Raise InvalidRequest for a payload this provider cannot take."""

    async def charge(
        self, idempotency_key: str, amount_cents: int, currency: str, payment: dict[str, Any]
    ) -> Charge: ...

    async def refund(
        self, reference: str, amount_cents: int | None = None, idempotency_key: str | None = None
    ) -> None:
        """Give back `amount_cents` (None: all) of the charge `reference`. A retry
        with the same idempotency key must not pay twice; raise if the
        provider did not take it (the caller retries later)."""


class Gateways:
    """One gateway per payment method, behind the PaymentGateway interface."""

    def __init__(self, by_method: dict[str, PaymentGateway], default: str = "fake") -> None:
        self._by_method = by_method
        self._default = default

    def _for(self, payment: dict[str, Any]) -> PaymentGateway:
        method = payment.get("method", self._default)
        gateway = self._by_method.get(method) if isinstance(method, str) else None
        if gateway is None:
            raise InvalidRequest(
                f"payment.method is one of {', '.join(sorted(self._by_method))}.",
                field="payment.method",
            )
        return gateway

    def method(self, name: str) -> PaymentGateway | None:
        return self._by_method.get(name)

    def validate(self, payment: dict[str, Any]) -> None:
        self._for(payment).validate(payment)

    async def charge(
        self, idempotency_key: str, amount_cents: int, currency: str, payment: dict[str, Any]
    ) -> Charge:
        return await self._for(payment).charge(idempotency_key, amount_cents, currency, payment)

    async def refund(
        self, reference: str, amount_cents: int | None = None, idempotency_key: str | None = None
    ) -> None:
        """A reference names its provider by its prefix (`pix_...`, `fake_...`)."""
        prefix = reference.split("_", 1)[0]
        gateway = self._by_method.get(prefix, self._by_method[self._default])
        await gateway.refund(reference, amount_cents=amount_cents, idempotency_key=idempotency_key)


FAKE_OUTCOMES = {"approve": Outcome.APPROVED, "decline": Outcome.DECLINED, "timeout": Outcome.TIMEOUT}


def validate_fake_payment(payment: dict[str, Any]) -> Outcome:
    if payment.get("method") != "fake":
        raise InvalidRequest('Test mode takes payment {"method": "fake", "outcome": ...}.')
    outcome = payment.get("outcome", "approve")
    if outcome not in FAKE_OUTCOMES:
        raise InvalidRequest("payment.outcome is one of approve, decline, timeout.")
    return FAKE_OUTCOMES[outcome]


class FakeGateway:
    """An in-process provider for tests and demos. It remembers every charge by
    idempotency key and returns the first answer again on a retry."""

    def __init__(self, latency_seconds: float = 0.0) -> None:
        self._latency = latency_seconds
        self.charges: dict[str, Charge] = {}
        self.refunds: list[str] = []
        self.refunded: dict[str, tuple[str, int | None]] = {}  # idempotency key -> (charge, amount)
        self.fail_refunds = 0  # the next n refunds raise (a provider outage, for tests)
        self.calls = 0

    def validate(self, payment: dict[str, Any]) -> None:
        validate_fake_payment(payment)

    async def charge(
        self, idempotency_key: str, amount_cents: int, currency: str, payment: dict[str, Any]
    ) -> Charge:
        self.calls += 1
        if idempotency_key in self.charges:
            return self.charges[idempotency_key]
        outcome = validate_fake_payment(payment)
        if self._latency:
            await asyncio.sleep(self._latency)
        charge = Charge(f"fake_{new_id()}", outcome, amount_cents, currency)
        if outcome is not Outcome.TIMEOUT:
            self.charges[idempotency_key] = charge
        return charge

    async def refund(
        self, reference: str, amount_cents: int | None = None, idempotency_key: str | None = None
    ) -> None:
        if self.fail_refunds > 0:
            self.fail_refunds -= 1
            raise ConnectionError("the fake provider is down")
        key = idempotency_key or f"full:{reference}"
        if key in self.refunded:
            return
        self.refunded[key] = (reference, amount_cents)
        if amount_cents is None:
            self.refunds.append(reference)

    def refunded_cents(self, reference: str) -> int:
        """What partial refunds gave back of one charge."""
        return sum(a or 0 for r, a in self.refunded.values() if r == reference)

    @property
    def captured(self) -> int:
        """Approved charges not refunded: what the provider actually took."""
        return sum(
            1
            for c in self.charges.values()
            if c.outcome is Outcome.APPROVED and c.reference not in self.refunds
            and self.refunded_cents(c.reference) < c.amount_cents
        )

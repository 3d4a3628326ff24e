"""The shop's client of a Pix provider (the fake one in tests and the demo),
behind the PaymentGateway interface: a charge answers PENDING with the QR's
"copy and paste" code and a deadline; the money is confirmed later by webhook
(payments/service.py) or by asking (`status`, the reconciliation job)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from boxoffice.clock import Clock
from boxoffice.errors import InvalidRequest, PaymentTimeout
from boxoffice.orders.payments import Charge, Outcome

PROVIDER_OUTCOMES = {
    "pending": Outcome.PENDING,
    "paid": Outcome.APPROVED,
    "refunded": Outcome.DECLINED,  # given back: it can no longer pay for anything
    "declined": Outcome.DECLINED,
    "cancelled": Outcome.DECLINED,
}


class ProviderUnavailable(Exception):
    """The provider did not answer (a retry or the reconciliation job tries again)."""


class PixGateway:
    def __init__(
        self, base_url: str, api_key: str, clock: Clock, payment_minutes: float,
        notify_url: str | None = None, timeout: float = 10.0,
    ) -> None:  # fmt: skip
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}"},
        )  # fmt: skip
        self._base_url = base_url.rstrip("/")
        self._clock = clock
        self._window = timedelta(minutes=payment_minutes)
        self._notify_url = notify_url

    def validate(self, payment: dict[str, Any]) -> None:
        if payment.get("method") != "pix" or set(payment) - {"method"}:
            raise InvalidRequest('Pix takes payment {"method": "pix"} and nothing else.')

    def deadline(self) -> datetime:
        return self._clock.now() + self._window

    async def charge(
        self, idempotency_key: str, amount_cents: int, currency: str, payment: dict[str, Any]
    ) -> Charge:
        body = {
            "reference": idempotency_key, "amount_cents": amount_cents, "currency": currency,
            "expires_at": self.deadline().isoformat(), "notify_url": self._notify_url,
        }  # fmt: skip
        try:
            answer = await self._client.post("/api/charges", json=body)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise PaymentTimeout("The Pix provider did not answer; nothing was charged.") from exc
        return self._charge(answer.json())

    async def status(self, reference: str) -> Charge:
        return self._charge(await self._call("GET", f"/api/charges/{reference}"))

    async def refund(
        self, reference: str, amount_cents: int | None = None, idempotency_key: str | None = None
    ) -> None:
        """The provider refunds whole charges (refunding twice is the same refund);
        amount_cents and idempotency_key are not sent yet: a partial after-sale
        refund of a Pix order (refunds/) gives the whole charge back."""
        await self._call("POST", f"/api/charges/{reference}/refund")

    async def cancel(self, reference: str) -> Charge:
        """Stop a pending charge from being paid; a charge already paid stays paid."""
        return self._charge(await self._call("POST", f"/api/charges/{reference}/cancel"))

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            answer = await self._client.request(method, path, json=body)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{method} {path}: {exc}") from exc
        return answer.json()  # type: ignore[no-any-return]

    def _charge(self, body: dict[str, Any]) -> Charge:
        expires = body.get("expires_at")
        return Charge(
            reference=body["id"], outcome=PROVIDER_OUTCOMES.get(body["status"], Outcome.PENDING),
            amount_cents=int(body["amount_cents"]), currency=body["currency"], method="pix",
            expires_at=datetime.fromisoformat(expires) if expires else None,
            copy_paste=body.get("copy_paste"), pay_url=f"{self._base_url}/pay/{body['id']}",
            status=body["status"],
        )  # fmt: skip

    async def close(self) -> None:
        await self._client.aclose()

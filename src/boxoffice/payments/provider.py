"""A fake Pix provider: the separate process the demo and the tests start
(`boxoffice pix-provider --port N`). It stands in for a PSP's API and for the
fan's bank app:

- the shop creates a charge (`POST /api/charges`, idempotent by the shop's
  `reference`) and gets a Pix "copy and paste" code and a page to pay on;
- the payer approves or declines on `GET /pay/{id}` (a form, like the bank
  app's confirm screen); each change is delivered to the charge's
  `notify_url` as a webhook signed with HMAC-SHA256 over the timestamp and
  the body (payments/signing.py), retried with backoff until a 2xx;
- the shop asks for a charge's status, refunds it or cancels it (`/api/...`,
  with the API key), and tests can list the events sent and resend one.

State lives in memory: it is a test double, not a bank. It never refuses a
late payment (so the shop's refund of money that came too late can be shown).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from boxoffice.orders.qr import qr_data_uri
from boxoffice.payments.brcode import brcode
from boxoffice.payments.signing import HEADER, sign

log = logging.getLogger("boxoffice.pix_provider")
RETRY_DELAYS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass
class ProviderCharge:
    id: str
    reference: str
    amount_cents: int
    currency: str
    expires_at: str | None
    notify_url: str | None
    copy_paste: str
    status: str = "pending"  # -> paid | declined | cancelled; paid -> refunded
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    paid_at: str | None = None
    refunded_cents: int = 0
    refunds: dict[str, int] = field(default_factory=dict)  # idempotency key -> cents


@dataclass
class Event:
    id: str
    type: str
    charge_id: str
    body: bytes
    notify_url: str | None
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None


class Provider:
    def __init__(self, webhook_secret: bytes, api_key: str, notify_url: str | None = None) -> None:
        self.secret = webhook_secret
        self.api_key = api_key
        self.default_notify_url = notify_url
        self.charges: dict[str, ProviderCharge] = {}
        self.by_reference: dict[str, str] = {}
        self.events: dict[str, Event] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def create(self, body: dict[str, Any]) -> ProviderCharge:
        reference = str(body["reference"])
        if reference in self.by_reference:  # idempotent: a retried charge is the same charge
            return self.charges[self.by_reference[reference]]
        charge_id = f"pix_{secrets.token_hex(12)}"
        amount = int(body["amount_cents"])
        charge = ProviderCharge(
            id=charge_id, reference=reference, amount_cents=amount,
            currency=str(body.get("currency", "BRL")), expires_at=body.get("expires_at"),
            notify_url=body.get("notify_url") or self.default_notify_url,
            copy_paste=brcode("pix@boxoffice.example", "BOXOFFICE", "SAO PAULO", amount, charge_id[4:]),
        )  # fmt: skip
        self.charges[charge_id] = charge
        self.by_reference[reference] = charge_id
        return charge

    def move(self, charge: ProviderCharge, to: str, allowed_from: tuple[str, ...]) -> bool:
        """Change a charge's status and send its webhook; False if it could not move."""
        if charge.status not in allowed_from:
            return False
        charge.status = to
        if to == "paid":
            charge.paid_at = datetime.now(UTC).isoformat()
        self.emit(charge, f"charge.{to}")
        return True

    def emit(self, charge: ProviderCharge, kind: str) -> Event:
        body = {
            "id": f"evt_{secrets.token_hex(12)}", "type": kind,
            "created_at": datetime.now(UTC).isoformat(), "charge": public(charge),
        }  # fmt: skip
        event = Event(body["id"], kind, charge.id, json.dumps(body).encode(), charge.notify_url)
        self.events[event.id] = event
        self.deliver(event)
        return event

    def deliver(self, event: Event) -> None:
        if event.notify_url:
            task = asyncio.get_running_loop().create_task(self._deliver(event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: Event) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for delay in RETRY_DELAYS:
                await asyncio.sleep(delay)
                event.attempts += 1
                headers = {"Content-Type": "application/json",
                           HEADER: sign(self.secret, int(time.time()), event.body)}  # fmt: skip
                try:
                    answer = await client.post(event.notify_url or "", content=event.body, headers=headers)
                    event.last_status = answer.status_code
                    if answer.is_success:
                        event.delivered = True
                        return
                except httpx.HTTPError as exc:
                    log.warning("webhook %s not delivered: %s", event.id, exc)
        log.error("webhook %s gave up after %d attempts", event.id, event.attempts)


def public(charge: ProviderCharge) -> dict[str, Any]:
    return asdict(charge)


def create_provider_app(provider: Provider) -> Starlette:
    def api(handler):  # type: ignore[no-untyped-def]
        async def guarded(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {provider.api_key}":
                return JSONResponse({"error": "bad api key"}, status_code=401)
            return await handler(request)

        return guarded

    def found(request: Request) -> ProviderCharge | None:
        return provider.charges.get(request.path_params["charge_id"])

    async def create(request: Request) -> Response:
        try:
            charge = provider.create(await request.json())
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": f"bad charge: {exc}"}, status_code=422)
        return JSONResponse(public(charge), status_code=201)

    async def read(request: Request) -> Response:
        charge = found(request)
        return JSONResponse(public(charge)) if charge else JSONResponse({"error": "no such charge"}, 404)

    async def refund(request: Request) -> Response:
        charge = found(request)
        if charge is None:
            return JSONResponse({"error": "no such charge"}, 404)
        if charge.status not in ("paid", "refunded"):
            return JSONResponse({"error": f"a {charge.status} charge cannot be refunded"}, 409)
        body = await request.json() if await request.body() else {}
        key = (body or {}).get("idempotency_key") or "full"
        if key not in charge.refunds:  # a repeated key is the same refund
            left = charge.amount_cents - charge.refunded_cents
            amount = (body or {}).get("amount_cents")
            charge.refunds[key] = min(left, int(amount)) if amount is not None else left
            charge.refunded_cents += charge.refunds[key]
        if charge.refunded_cents >= charge.amount_cents:
            provider.move(charge, "refunded", ("paid",))
        return JSONResponse(public(charge))

    async def cancel(request: Request) -> Response:
        charge = found(request)
        if charge is None:
            return JSONResponse({"error": "no such charge"}, 404)
        provider.move(charge, "cancelled", ("pending",))  # a paid charge stays paid: see status
        return JSONResponse(public(charge))

    async def events(_: Request) -> Response:
        return JSONResponse([
            {"id": e.id, "type": e.type, "charge_id": e.charge_id, "attempts": e.attempts,
             "delivered": e.delivered, "last_status": e.last_status}
            for e in provider.events.values()
        ])  # fmt: skip

    async def resend(request: Request) -> Response:
        event = provider.events.get(request.path_params["event_id"])
        if event is None:
            return JSONResponse({"error": "no such event"}, 404)
        provider.deliver(event)  # the same body, signed again now: a duplicate delivery
        return JSONResponse({"id": event.id}, status_code=202)

    async def pay_page(request: Request) -> Response:
        charge = found(request)
        if charge is None:
            return HTMLResponse("<h1>No such charge</h1>", status_code=404)
        return HTMLResponse(render_page(charge))

    async def pay(request: Request) -> Response:
        charge = found(request)
        if charge is None:
            return HTMLResponse("<h1>No such charge</h1>", status_code=404)
        action = (await request.form()).get("action")
        if action == "approve":
            provider.move(charge, "paid", ("pending",))
        elif action == "decline":
            provider.move(charge, "declined", ("pending",))
        return RedirectResponse(f"/pay/{charge.id}", status_code=303)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/healthz", healthz),
        Route("/api/charges", api(create), methods=["POST"]),
        Route("/api/charges/{charge_id}", api(read)),
        Route("/api/charges/{charge_id}/refund", api(refund), methods=["POST"]),
        Route("/api/charges/{charge_id}/cancel", api(cancel), methods=["POST"]),
        Route("/api/events", api(events)),
        Route("/api/events/{event_id}/resend", api(resend), methods=["POST"]),
        Route("/pay/{charge_id}", pay_page),
        Route("/pay/{charge_id}", pay, methods=["POST"]),
    ])  # fmt: skip


def render_page(charge: ProviderCharge) -> str:
    """The payer's screen: amount, QR, the copy-and-paste code, approve / decline."""
    amount = f"R$ {charge.amount_cents / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    status = html.escape(charge.status)
    buttons = (
        '<form method="post"><button name="action" value="approve" id="approve">'
        "Approve payment / Aprovar</button> "
        '<button name="action" value="decline" id="decline">Decline / Recusar</button></form>'
        if charge.status == "pending"
        else f'<p id="result">This charge is <strong>{status}</strong>.</p>'
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fake Pix bank</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
code{{word-break:break-all;display:block;background:#f3f3f3;padding:.5rem}}
button{{font-size:1rem;padding:.6rem 1rem;margin:.3rem 0}}</style></head><body>
<h1>Fake Pix bank (test)</h1>
<p>Pay <strong>{amount}</strong> to BOXOFFICE. Status: <strong id="status">{status}</strong></p>
<img src="{qr_data_uri(charge.copy_paste)}" alt="Pix QR code" width="200" height="200">
<p>Pix copy and paste:</p><code>{html.escape(charge.copy_paste)}</code>
{buttons}</body></html>"""

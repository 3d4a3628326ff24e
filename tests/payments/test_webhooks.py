"""The webhook endpoint: forged, stale, duplicate, out-of-order and late
deliveries (SQLite and PostgreSQL). Events here are signed by the test with
the provider's secret, or taken from the real provider and re-sent."""

from __future__ import annotations

import json
import time

import httpx
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.payments.signing import HEADER, sign
from boxoffice.storage.tables import payment_events, tickets
from tests.payments.provider import WEBHOOK_SECRET, eventually
from tests.payments.test_pix_flow import pay, pix_order, status_of
from tests.support import Fan, sign_up

WEBHOOK = "/api/v1/payments/pix/webhook"


def event(order: dict, status: str, event_id: str = "evt_test_1") -> bytes:
    reference = order["payment"]["pay_url"].rsplit("/", 1)[1]
    return json.dumps({
        "id": event_id, "type": f"charge.{status}", "created_at": "2030-01-01T12:00:00+00:00",
        "charge": {"id": reference, "reference": order["order_id"], "status": status,
                   "amount_cents": order["amount_cents"], "currency": order["currency"]},
    }).encode()  # fmt: skip


async def send(client: httpx.AsyncClient, body: bytes, secret: str = WEBHOOK_SECRET,
               at: float | None = None, header: str | None = None) -> httpx.Response:  # fmt: skip
    signature = header if header is not None else sign(secret.encode(), int(at or time.time()), body)
    return await client.post(WEBHOOK, content=body, headers={HEADER: signature})


async def count(container: Container, table) -> int:  # type: ignore[no-untyped-def]
    async with container.database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))


async def test_forged_stale_and_unsigned_webhooks_are_refused_and_write_nothing(
    container: Container, show: Show, client: httpx.AsyncClient
) -> None:
    fan = await sign_up(client)
    order = await pix_order(fan, show)
    body = event(order, "paid")
    for answer in (
        await send(client, body, secret="not-the-providers-secret"),
        await send(client, body, at=time.time() - 600),  # a replay of a ten-minute-old message
        await send(client, body, header=""),
        await send(client, body, header="t=abc,v1=00"),
        await send(client, body[:-1] + b" }", header=sign(WEBHOOK_SECRET.encode(), int(time.time()), body)),
    ):
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "webhook_rejected"
    assert (await fan.get(f"/api/v1/orders/{order['order_id']}")).json()["status"] == "pending"
    assert await count(container, payment_events) == 0 and await count(container, tickets) == 0


async def test_a_duplicate_delivery_changes_nothing(
    container: Container, show: Show, fan: Fan, bank: httpx.AsyncClient
) -> None:
    order = await pix_order(fan, show)
    await pay(bank, order["payment"]["pay_url"])
    assert await status_of(fan, order["order_id"], "paid")

    async def delivered_paid_event():  # type: ignore[no-untyped-def]
        # the provider marks it delivered once the shop's answer is back: maybe after the order shows paid
        events = (await bank.get("/api/events")).json()
        return next((e for e in events if e["type"] == "charge.paid" and e["delivered"]
                     and e["charge_id"] in order["payment"]["pay_url"]), None)  # fmt: skip

    paid_event = await eventually(delivered_paid_event)
    assert paid_event is not None
    assert (await bank.post(f"/api/events/{paid_event['id']}/resend")).status_code == 202

    async def redelivered() -> bool:
        found = next(e for e in (await bank.get("/api/events")).json() if e["id"] == paid_event["id"])
        return found["attempts"] >= 2 and found["delivered"]

    assert await eventually(redelivered)
    assert await count(container, tickets) == 1  # the same event, signed again: applied once
    answer = await send(fan.client, event(order, "paid", paid_event["id"]))
    assert answer.status_code == 200 and answer.json()["outcome"] == "duplicate"


async def test_out_of_order_news_cannot_undo_a_payment(
    container: Container, show: Show, client: httpx.AsyncClient
) -> None:
    fan = await sign_up(client)
    order = await pix_order(fan, show)
    assert (await send(client, event(order, "paid", "evt_a"))).json()["outcome"] == "paid"
    late_decline = await send(client, event(order, "declined", "evt_b"))
    assert late_decline.status_code == 200
    settled = (await fan.get(f"/api/v1/orders/{order['order_id']}")).json()
    assert settled["status"] == "paid" and len(settled["tickets"]) == 1


async def test_money_after_a_decline_is_given_back(
    container: Container, show: Show, client: httpx.AsyncClient, bank: httpx.AsyncClient
) -> None:
    """Out of order the other way: the decline is applied first, then the
    provider says the charge was paid after all; the order stays failed and
    the money goes back (the real provider is asked to refund)."""
    fan = await sign_up(client)
    order = await pix_order(fan, show)
    reference = order["payment"]["pay_url"].rsplit("/", 1)[1]
    await send(client, event(order, "declined", "evt_1"))
    await bank.post(f"/pay/{reference}", data={"action": "approve"})  # its own webhook goes nowhere
    answer = await send(client, event(order, "paid", "evt_2"))
    assert answer.json()["outcome"] == "refunded"
    assert (await bank.get(f"/api/charges/{reference}")).json()["status"] == "refunded"
    failed = (await fan.get(f"/api/v1/orders/{order['order_id']}")).json()
    assert failed["status"] == "failed" and failed["payment"]["status"] == "refunded"
    assert await count(container, tickets) == 0


async def test_a_webhook_for_an_unknown_charge_is_acknowledged_and_ignored(
    container: Container, client: httpx.AsyncClient
) -> None:
    body = json.dumps({"id": "evt_x", "type": "charge.paid", "charge": {
        "id": "pix_nothing", "reference": "no-such-order", "status": "paid",
        "amount_cents": 100, "currency": "BRL"}}).encode()  # fmt: skip
    answer = await send(client, body)
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored"
    assert await count(container, tickets) == 0

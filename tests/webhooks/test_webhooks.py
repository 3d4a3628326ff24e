"""Organiser webhooks on SQLite and PostgreSQL, against a local receiver:
registered through the API, signed (HMAC + timestamp), fanned out to the
endpoints subscribed to each event, retried with backoff, visible with their
status through the API and on the organiser page."""

from __future__ import annotations

import json

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.webhooks.domain import verify
from tests.support import Fan, organiser, sign_up
from tests.webhooks.conftest import Receiver

ALL = ["order.paid", "order.refunded", "ticket.checked_in"]


async def _endpoint(boss: Fan, url: str, events: list[str]) -> dict:
    r = await boss.post("/api/v1/admin/webhooks", json={"url": url, "events": events, "description": "CRM"})
    assert r.status_code == 201, r.text
    return r.json()


async def _paid_order(client: httpx.AsyncClient, show: Show) -> dict:
    fan = await sign_up(client)
    hold = await fan.hold(show.id, show.sections[0].id, key="h1", quantity=2)
    order = await fan.pay(hold.json()["hold_id"], "o1")
    assert order.status_code == 201, order.text
    return order.json()


async def test_a_paid_order_is_posted_signed_to_subscribed_endpoints(
    container: Container, client: httpx.AsyncClient, show: Show, receiver: Receiver, clock: FakeClock
) -> None:
    boss = await organiser(container, client)
    endpoint = await _endpoint(boss, receiver.url, ALL)
    await _endpoint(boss, receiver.url + "?only=checkins", ["ticket.checked_in"])  # not told of payments
    order = await _paid_order(client, show)
    await container.outbox.drain()

    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert call.headers["X-Boxoffice-Event"] == "order.paid"
    now = int(clock.now().timestamp())
    assert verify(endpoint["secret"], call.headers["X-Boxoffice-Signature"], call.body, now)
    assert not verify(endpoint["secret"], call.headers["X-Boxoffice-Signature"], call.body + b" ", now)
    assert not verify(endpoint["secret"], call.headers["X-Boxoffice-Signature"], call.body, now + 3600)  # replayed
    event = json.loads(call.body)
    assert event["type"] == "order.paid" and event["data"]["order_id"] == order["order_id"]
    assert sorted(event["data"]["tickets"]) == sorted(t["code"] for t in order["tickets"])

    r = await boss.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries")
    assert r.status_code == 200
    [delivery] = r.json()
    assert (delivery["status"], delivery["attempts"], delivery["type"]) == ("sent", 1, "order.paid")
    assert delivery["id"] == call.headers["X-Boxoffice-Delivery"]


async def test_a_failing_endpoint_is_retried_with_backoff_and_the_page_shows_it(
    container: Container, client: httpx.AsyncClient, show: Show, receiver: Receiver, clock: FakeClock
) -> None:
    boss = await organiser(container, client)
    endpoint = await _endpoint(boss, receiver.url, ["order.paid"])
    receiver.failures_left = 2
    await _paid_order(client, show)
    await container.outbox.drain()
    r = await boss.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries")
    [delivery] = r.json()
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("pending", 1, "RuntimeError: HTTP 500")

    client.cookies.set("boxoffice_session", boss.token)
    page = await client.get("/admin/webhooks")
    assert page.status_code == 200
    assert receiver.url in page.text and "HTTP 500" in page.text and "delivery-pending" in page.text

    clock.advance(seconds=30)
    await container.outbox.drain()  # second try fails too: next in 60 s
    assert len(receiver.calls) == 2
    clock.advance(seconds=60)
    await container.outbox.drain()
    ids = {c.headers["X-Boxoffice-Delivery"] for c in receiver.calls}
    assert len(receiver.calls) == 3 and len(ids) == 1  # one delivery, tried three times
    [delivery] = (await boss.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries")).json()
    assert (delivery["status"], delivery["attempts"]) == ("sent", 3)
    page = await client.get("/admin/webhooks")
    assert "delivery-sent" in page.text


async def test_refunds_and_check_ins_are_posted_too(
    container: Container, client: httpx.AsyncClient, show: Show, receiver: Receiver
) -> None:
    boss = await organiser(container, client)
    await _endpoint(boss, receiver.url, ["order.refunded", "ticket.checked_in"])
    order = await _paid_order(client, show)
    first = order["tickets"][0]["code"]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": first})).status_code == 200
    second = await _paid_order(client, show)
    r = await boss.post(f"/api/v1/admin/orders/{second['order_id']}/refund", headers={"Idempotency-Key": "r1"})
    assert r.status_code == 201, r.text
    await container.outbox.drain()
    events = {json.loads(c.body)["type"]: json.loads(c.body)["data"] for c in receiver.calls}
    assert set(events) == {"ticket.checked_in", "order.refunded"}
    assert events["ticket.checked_in"]["ticket"] == first
    assert events["order.refunded"]["order_id"] == second["order_id"]


async def test_endpoints_are_https_and_organiser_only(
    container: Container, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    boss = await organiser(container, client)
    fan = await sign_up(client)
    for url, events in (("http://example.com/hooks", ["order.paid"]), ("ftp://127.0.0.1/x", ["order.paid"]),
                        ("https://user:pw@example.com/h", ["order.paid"]), (receiver.url, ["order.lost"]),
                        (receiver.url, [])):  # fmt: skip
        r = await boss.post("/api/v1/admin/webhooks", json={"url": url, "events": events})
        assert r.status_code == 422, (url, events, r.text)
    assert (await boss.post("/api/v1/admin/webhooks", json={"url": "https://example.com/h", "events": ["order.paid"]})).status_code == 201
    r = await fan.post("/api/v1/admin/webhooks", json={"url": receiver.url, "events": ["order.paid"]})
    assert r.status_code == 403
    assert len((await boss.get("/api/v1/admin/webhooks")).json()) == 1


async def test_a_removed_endpoint_gets_nothing_more(
    container: Container, client: httpx.AsyncClient, show: Show, receiver: Receiver
) -> None:
    boss = await organiser(container, client)
    endpoint = await _endpoint(boss, receiver.url, ["order.paid"])
    receiver.failures_left = 1
    await _paid_order(client, show)
    await container.outbox.drain()
    assert (await boss.delete(f"/api/v1/admin/webhooks/{endpoint['id']}")).status_code == 204
    container.clock.advance(minutes=5)  # type: ignore[attr-defined]
    await container.outbox.drain()
    assert len(receiver.calls) == 1
    [delivery] = (await boss.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries")).json()
    assert delivery["status"] == "dead" and "removed" in delivery["last_error"]
    assert (await boss.delete(f"/api/v1/admin/webhooks/{'0' * 32}")).status_code == 404

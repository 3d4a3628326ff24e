"""Refunds and cancellation: an organiser refunds an order, a fan asks where
allowed, a cancelled show refunds everyone; places go back on sale; the
gateway is paid back once, even when it fails first."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.storage import tables
from tests.aftersale.helpers import buy, count, counters, ga, key, seated, snapshot, sold_matches_tickets, valid_per_seat_ok
from tests.support import organiser, sign_up


async def test_organiser_refunds_an_order_and_the_places_go_back_on_sale(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    order = await buy(fan, show, quantity=2)
    assert (await counters(container, ga(show)))[0] == 2

    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": "r1"})
    assert r.status_code == 201, r.text
    refund = r.json()
    assert refund["amount_cents"] == order["amount_cents"] and refund["status"] == "sent"
    again = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": "r1"})
    assert again.status_code == 201 and again.json()["refund_id"] == refund["refund_id"]

    assert (await counters(container, ga(show)))[0] == 0  # back on sale
    got = (await fan.get(f"/api/v1/orders/{order['order_id']}")).json()
    assert got["status"] == "refunded" and got["refunded_cents"] == order["amount_cents"]
    assert {t["status"] for t in got["tickets"]} == {"refunded"}
    gateway = container.gateway
    assert len(gateway.refunded) == 1  # type: ignore[attr-defined]
    # a refunded ticket does not pass the gate; the trail says what happened
    code = order["tickets"][0]["code"]
    r = await boss.post("/api/v1/admin/checkin", json={"code": code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_not_valid"
    trail = (await boss.get(f"/api/v1/admin/orders/{order['order_id']}/audit")).json()
    assert {"refunded"} <= {e["action"] for e in trail if e["entity"] == "ticket"}
    assert [e["action"] for e in trail if e["entity"] == "refund"] == ["created", "sent"]
    # a second refund of the same order has nothing left to give
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": "r2"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_refund"
    # the fan was told, and the places can be bought again
    notes = (await fan.get("/api/v1/notifications")).json()
    assert notes[0]["kind"] == "refund"
    assert (await buy(await sign_up(client), show, quantity=2))["status"] == "paid"


async def test_seated_refund_frees_the_seat(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    seats = (await fan.get(f"/api/v1/shows/{show.id}/sections/{seated(show)}/seats")).json()
    seat_id = seats["seats"][0]["id"] if isinstance(seats, dict) else seats[0]["id"]
    order = await buy(fan, show, seat_ids=[seat_id])
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    other = await buy(await sign_up(client), show, seat_ids=[seat_id])
    assert other["tickets"][0]["seat"] == order["tickets"][0]["seat"]
    assert await valid_per_seat_ok(container)
    assert await sold_matches_tickets(container, seated(show))


async def test_fan_refund_only_where_the_organiser_allows_it(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    order = await buy(fan, show, quantity=1)
    before = await snapshot(container)
    r = await fan.post(f"/api/v1/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_allowed"
    assert await snapshot(container) == before  # nothing written

    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale", json={"fan_refunds": True})
    assert r.status_code == 200 and r.json()["fan_refunds"] is True
    stranger = await sign_up(client)
    r = await stranger.post(f"/api/v1/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 404
    r = await fan.post(f"/api/v1/orders/{order['order_id']}/refund")
    assert r.status_code == 422  # no Idempotency-Key
    r = await fan.post(f"/api/v1/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201 and r.json()["reason"] == "fan"


async def test_a_failed_gateway_refund_stays_pending_and_is_retried_once(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    order = await buy(fan, show, quantity=1)
    container.gateway.fail_refunds = 1  # type: ignore[attr-defined]
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert (await counters(container, ga(show)))[0] == 0  # the tickets are given up anyway
    assert await container.refunds.send_pending() == 1
    assert await container.refunds.send_pending() == 0
    assert len(container.gateway.refunded) == 1  # type: ignore[attr-defined]
    rows = await count(container, tables.refunds, tables.refunds.c.status == "sent")
    assert rows == 1


async def test_cancelling_a_show_refunds_everyone_and_stops_the_sale(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fans = [await sign_up(client) for _ in range(3)]
    boss = await organiser(container, client)
    orders = [await buy(f, show, quantity=2) for f in fans[:2]]
    used = orders[0]["tickets"][0]["code"]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": used})).status_code == 200
    live = await fans[2].hold(show.id, ga(show), key(), quantity=1)
    assert live.status_code == 201

    r = await boss.post(f"/api/v1/admin/shows/{show.id}/cancel", headers={"Idempotency-Key": "c1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"show_id": show.id, "refunds": 2, "holds_released": 1, "already_cancelled": False}
    again = await boss.post(f"/api/v1/admin/shows/{show.id}/cancel", headers={"Idempotency-Key": "c1"})
    assert again.json()["already_cancelled"] is True
    assert len(container.gateway.refunded) == 2  # type: ignore[attr-defined]
    async with container.database.engine.connect() as conn:
        statuses = set((await conn.execute(select(tables.tickets.c.status))).scalars())
    assert statuses == {"refunded"}  # the used ticket too
    assert await counters(container, ga(show)) == (0, 0, 100)
    r = await fans[2].hold(show.id, ga(show), key(), quantity=1)
    assert r.status_code == 409  # the sale is closed
    r = await fans[2].pay(live.json()["hold_id"], key())
    assert r.status_code == 409
    notes = (await fans[0].get("/api/v1/notifications")).json()
    assert notes[0]["kind"] == "show_cancelled"


async def test_revenue_counts_what_was_kept(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    alice, bob, boss = await sign_up(client), await sign_up(client), await organiser(container, client)
    kept = await buy(alice, show, quantity=2)
    gone = await buy(bob, show, quantity=1)
    code = kept["tickets"][0]["code"]
    await alice.post(f"/api/v1/tickets/{code}/transfer", json={"email": bob.email}, headers={"Idempotency-Key": key()})
    await boss.post(f"/api/v1/admin/orders/{gone['order_id']}/refund", headers={"Idempotency-Key": key()})
    async with container.database.engine.connect() as conn:
        from boxoffice.inventory.repository import ShowRepository

        revenue = await ShowRepository(conn).revenue_by_section(show.id)
    assert revenue == {ga(show): kept["amount_cents"]}  # the transfer is not counted twice, the refund not at all

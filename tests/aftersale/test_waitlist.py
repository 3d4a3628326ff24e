"""The waiting list after sold out: FIFO, one place per account, offers as
holds reserved for N minutes, the next fan when an offer lapses, fans over
their limit skipped, the organiser's figures."""

from __future__ import annotations

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.aftersale.helpers import buy, counters, key, sold_matches_tickets
from tests.support import organiser, show_spec, sign_up


@pytest.fixture
async def small(container: Container) -> Show:
    """A show whose general-admission section holds 2 tickets."""
    return await container.inventory.create_show(show_spec(ga_capacity=2))


async def join(fan, show: Show, quantity: int = 1) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await fan.post(f"/api/v1/shows/{show.id}/waitlist",
                          json={"section_id": show.sections[0].id, "quantity": quantity})  # fmt: skip


async def test_returned_tickets_go_to_the_line_in_order(
    client: httpx.AsyncClient, container: Container, small: Show, clock: FakeClock
) -> None:
    first, second, third = [await sign_up(client) for _ in range(3)]
    boss = await organiser(container, client)
    buyer = await sign_up(client)
    order = await buy(buyer, small, quantity=2)  # sold out
    assert (r := await join(first, small)).status_code == 201 and r.json()["position"] == 1
    clock.advance(seconds=1)
    assert (await join(second, small)).json()["position"] == 2
    clock.advance(seconds=1)
    assert (await join(third, small)).json()["position"] == 3
    r = await join(first, small)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_on_list")  # one place per account
    await boss.patch(f"/api/v1/admin/shows/{small.id}/after-sale", json={"offer_minutes": 5})

    # a refund of one ticket... the whole order (2) comes back: first and second get offers
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201
    offer = (await first.get(f"/api/v1/shows/{small.id}/waitlist")).json()
    assert offer["status"] == "offered" and offer["hold_id"]
    assert (await second.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "offered"
    assert (await third.get(f"/api/v1/shows/{small.id}/waitlist")).json()["position"] == 1
    assert [n["kind"] for n in (await first.get("/api/v1/notifications")).json()] == ["offer"]
    # the public cannot take the offered tickets
    r = await (await sign_up(client)).hold(small.id, small.sections[0].id, key(), quantity=1)
    assert r.status_code == 409

    # the first fan buys through the normal order flow; the second lets it lapse
    assert (await first.pay(offer["hold_id"], key())).status_code == 201
    clock.advance(minutes=6)
    assert await container.waitlist.offer() == 1  # the lapsed offer goes to the third fan
    assert (await second.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "lapsed"
    third_offer = (await third.get(f"/api/v1/shows/{small.id}/waitlist")).json()
    assert third_offer["status"] == "offered"
    assert (await third.pay(third_offer["hold_id"], key())).status_code == 201
    assert await container.waitlist.offer() == 0
    figures = (await boss.get(f"/api/v1/admin/shows/{small.id}/waitlist")).json()
    assert figures == [{"section_id": small.sections[0].id, "waiting": 0, "offers_out": 0, "bought": 2,
                        "lapsed": 1, "skipped": 0}]  # fmt: skip
    assert await sold_matches_tickets(container, small.sections[0].id)


async def test_offer_to_a_fan_over_the_limit_skips_them(
    client: httpx.AsyncClient, container: Container, small: Show, clock: FakeClock
) -> None:
    waiting, next_fan, buyer = await sign_up(client), await sign_up(client), await sign_up(client)
    boss = await organiser(container, client)
    order = await buy(buyer, small, quantity=2)
    assert (await join(waiting, small, quantity=2)).status_code == 201
    clock.advance(seconds=1)
    assert (await join(next_fan, small, quantity=1)).status_code == 201
    seats = (await waiting.get(f"/api/v1/shows/{small.id}/sections/{small.sections[1].id}/seats")).json()["seats"]
    await buy(waiting, small, seat_ids=[s["id"] for s in seats[:3]])  # 3 seats + 2 wanted > limit 4
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201
    assert (await waiting.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "skipped"
    assert (await next_fan.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "offered"
    sold, held, _ = await counters(container, small.sections[0].id)
    assert (sold, held) == (0, 1)  # one ticket offered, one back on public sale


async def test_leaving_and_bad_joins(client: httpx.AsyncClient, container: Container, small: Show) -> None:
    fan, buyer = await sign_up(client), await sign_up(client)
    r = await join(fan, small)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "tickets_available")
    await buy(buyer, small, quantity=2)
    r = await join(fan, small, quantity=5)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")  # over the account limit
    r = await fan.post(f"/api/v1/shows/{small.id}/waitlist", json={"section_id": "0" * 32, "quantity": 1})
    assert r.status_code == 404
    assert (await join(fan, small)).status_code == 201
    assert (await fan.delete(f"/api/v1/shows/{small.id}/waitlist")).status_code == 204
    assert (await fan.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "left"
    assert (await join(fan, small)).status_code == 201  # back, at the end of the line


async def test_added_capacity_and_expired_holds_reach_the_line(
    client: httpx.AsyncClient, container: Container, small: Show, clock: FakeClock
) -> None:
    buyer, holder, waiting = await sign_up(client), await sign_up(client), await sign_up(client)
    boss = await organiser(container, client)
    await buy(buyer, small, quantity=1)
    held = await holder.hold(small.id, small.sections[0].id, key(), quantity=1)  # the last ticket, unpaid
    assert held.status_code == 201
    assert (await join(waiting, small, quantity=2)).status_code == 201
    r = await boss.patch(f"/api/v1/admin/shows/{small.id}/sections/{small.sections[0].id}", json={"capacity": 3})
    assert r.status_code == 200, r.text
    assert await container.waitlist.offer() == 0  # one more place: not enough for 2
    clock.advance(minutes=11)  # the unpaid hold expires (10 minutes)
    assert await container.waitlist.offer() == 1  # the background job's round
    offer = (await waiting.get(f"/api/v1/shows/{small.id}/waitlist")).json()
    assert offer["status"] == "offered"
    assert (await waiting.pay(offer["hold_id"], key())).status_code == 201
    assert await sold_matches_tickets(container, small.sections[0].id)


async def test_resale_is_offered_to_the_line_first(
    client: httpx.AsyncClient, container: Container, small: Show, clock: FakeClock
) -> None:
    seller, waiting, next_fan, public = [await sign_up(client) for _ in range(4)]
    boss = await organiser(container, client)
    code = (await buy(seller, small, quantity=2))["tickets"][0]["code"]  # sold out
    assert (await join(waiting, small)).status_code == 201
    clock.advance(seconds=1)
    assert (await join(next_fan, small)).status_code == 201
    await boss.patch(f"/api/v1/admin/shows/{small.id}/after-sale", json={"offer_minutes": 5})

    r = await seller.post("/api/v1/resale/listings", json={"ticket_codes": [code], "price_cents": 20_000})
    assert r.status_code == 201
    listing_id = r.json()[0]["listing_id"]
    assert (await waiting.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "offered"
    offer = [n for n in (await waiting.get("/api/v1/notifications")).json() if n["kind"] == "offer"][0]
    assert offer["data"]["listing_id"] == listing_id
    assert (await client.get(f"/api/v1/shows/{small.id}/resale")).json() == []  # not for the public
    async def buy_it(fan) -> httpx.Response:  # type: ignore[no-untyped-def]
        return await fan.post(f"/api/v1/resale/listings/{listing_id}/buy", json={"payment": {"method": "fake"}},
                              headers={"Idempotency-Key": key()})  # fmt: skip
    r = await buy_it(public)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "listing_unavailable")

    clock.advance(minutes=6)  # the first fan lets it lapse: the next one in line gets it
    assert await container.waitlist.offer() == 1
    assert (await waiting.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "lapsed"
    assert (await next_fan.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "offered"
    r = await buy_it(next_fan)
    assert r.status_code == 201, r.text
    await container.waitlist.offer()
    assert (await next_fan.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "bought"
    assert await sold_matches_tickets(container, small.sections[0].id)

"""Races, on SQLite and PostgreSQL: each contested change is one conditional
UPDATE (or the section lock), so exactly one side wins and every invariant
holds afterwards."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.aftersale.helpers import buy, counters, key, seated, sold_matches_tickets, ga, valid_per_seat_ok
from tests.support import organiser, show_spec, sign_up


async def test_two_buyers_for_one_listing(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    seller = await sign_up(client)
    seat = (await client.get(f"/api/v1/shows/{show.id}/sections/{seated(show)}/seats")).json()["seats"][0]["id"]
    code = (await buy(seller, show, seat_ids=[seat]))["tickets"][0]["code"]
    listing = (await seller.post("/api/v1/resale/listings", json={"ticket_codes": [code], "price_cents": 50_000})).json()[0]
    buyers = [await sign_up(client) for _ in range(5)]
    answers = await asyncio.gather(*(
        b.post(f"/api/v1/resale/listings/{listing['listing_id']}/buy", json={"payment": {"method": "fake"}},
               headers={"Idempotency-Key": key()})
        for b in buyers
    ))  # fmt: skip
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409, 409, 409, 409], [r.text for r in answers]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"listing_unavailable"}
    assert container.gateway.calls == 2  # type: ignore[attr-defined]  # the losers were never charged
    assert await valid_per_seat_ok(container) and await sold_matches_tickets(container, seated(show))


async def test_refund_racing_check_in(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    orders = [await buy(fan, show) for _ in range(4)]
    for order in orders:
        refund, entry = await asyncio.gather(
            boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()}),
            boss.post("/api/v1/admin/checkin", json={"code": order["tickets"][0]["code"]}),
        )
        assert sorted([refund.status_code, entry.status_code]) in ([200, 409], [201, 409]), (refund.text, entry.text)
        if refund.status_code == 201:
            assert entry.json()["error"]["code"] == "ticket_not_valid"
        else:
            assert refund.json()["error"]["code"] == "nothing_to_refund"
    assert await sold_matches_tickets(container, ga(show))


async def test_transfer_racing_resale(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    alice, bob = await sign_up(client), await sign_up(client)
    codes = [t["code"] for t in (await buy(alice, show, quantity=3))["tickets"]]
    for code in codes:
        moved, listed = await asyncio.gather(
            alice.post(f"/api/v1/tickets/{code}/transfer", json={"email": bob.email},
                       headers={"Idempotency-Key": key()}),
            alice.post("/api/v1/resale/listings", json={"ticket_codes": [code], "price_cents": 100}),
        )  # fmt: skip
        assert sorted([moved.status_code, listed.status_code]) == [201, 409], (moved.text, listed.text)
        status = (await alice.get(f"/api/v1/tickets/{code}")).json()["status"]
        assert status == ("void" if moved.status_code == 201 else "listed")
    assert await valid_per_seat_ok(container) and await sold_matches_tickets(container, ga(show))


@pytest.mark.parametrize("late", [False, True], ids=["in-time", "too-late"])
async def test_offer_expiry_racing_purchase(
    client: httpx.AsyncClient, container: Container, clock: FakeClock, late: bool
) -> None:
    small = await container.inventory.create_show(show_spec(ga_capacity=1))
    section = small.sections[0].id
    buyer, first, second = await sign_up(client), await sign_up(client), await sign_up(client)
    boss = await organiser(container, client)
    order = await buy(buyer, small)
    for fan in (first, second):
        assert (await fan.post(f"/api/v1/shows/{small.id}/waitlist", json={"section_id": section, "quantity": 1})).status_code == 201
        clock.advance(seconds=1)
    await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    offer = (await first.get(f"/api/v1/shows/{small.id}/waitlist")).json()
    assert offer["status"] == "offered"
    expires = offer["offer_expires_at"]
    clock.set(clock.now().__class__.fromisoformat(expires) + timedelta(seconds=1 if late else -1))
    paid, _ = await asyncio.gather(first.pay(offer["hold_id"], key()), container.waitlist.offer())
    await container.waitlist.offer()  # whatever the job saw mid-payment, a second round settles it
    if late:
        assert (paid.status_code, paid.json()["error"]["code"]) == (409, "hold_expired")
        assert (await first.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "lapsed"
        assert (await second.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "offered"
    else:
        assert paid.status_code == 201, paid.text
        assert (await first.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "bought"
        assert (await second.get(f"/api/v1/shows/{small.id}/waitlist")).json()["status"] == "waiting"
    sold, held, capacity = await counters(container, section)
    assert sold + held <= capacity and await sold_matches_tickets(container, section)

"""Face-value resale: list at no more than the cap, a buyer pays through the
hold -> order shape, the seller is refunded, the old code dies and a new one
is issued; a listed ticket cannot be checked in; abuse gets a clear 4xx and
writes nothing."""

from __future__ import annotations

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.aftersale.helpers import buy, key, snapshot, sold_matches_tickets, ga, valid_per_seat_ok
from tests.support import organiser, sign_up

PAY = {"method": "fake", "outcome": "approve"}


async def list_ticket(fan, code: str, price: int) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await fan.post("/api/v1/resale/listings", json={"ticket_codes": [code], "price_cents": price})


async def buy_listing(fan, listing_id: str, k: str | None = None, outcome: str = "approve") -> httpx.Response:  # type: ignore[no-untyped-def]
    return await fan.post(f"/api/v1/resale/listings/{listing_id}/buy",
                          json={"payment": {"method": "fake", "outcome": outcome}},
                          headers={"Idempotency-Key": k or key("b")})  # fmt: skip


async def test_a_resale_moves_the_place_and_the_money(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    seller, buyer, boss = await sign_up(client), await sign_up(client), await organiser(container, client)
    order = await buy(seller, show, quantity=2)
    code = order["tickets"][0]["code"]
    face = order["tickets"][0]["price_cents"]

    r = await list_ticket(seller, code, face)
    assert r.status_code == 201, r.text
    listing = r.json()[0]
    assert (await seller.get(f"/api/v1/tickets/{code}")).json()["status"] == "listed"
    r = await boss.post("/api/v1/admin/checkin", json={"code": code})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ticket_not_valid")  # listed: not at the gate
    public = (await client.get(f"/api/v1/shows/{show.id}/resale")).json()
    assert [x["listing_id"] for x in public] == [listing["listing_id"]]

    r = await buy_listing(buyer, listing["listing_id"], "buy-1")
    assert r.status_code == 201, r.text
    bought = r.json()
    assert bought["listing"]["status"] == "sold" and bought["order"]["status"] == "paid"
    new_code = bought["order"]["tickets"][0]["code"]
    assert new_code != code
    again = await buy_listing(buyer, listing["listing_id"], "buy-1")  # a retry: the same order, no second charge
    assert again.status_code == 201 and again.json()["order"]["order_id"] == bought["order"]["order_id"]
    assert container.gateway.calls == 2  # type: ignore[attr-defined]  # the first sale and the resale

    assert (await seller.get(f"/api/v1/tickets/{code}")).json()["status"] == "void"
    r = await boss.post("/api/v1/admin/checkin", json={"code": code})
    assert r.status_code == 409
    assert (await boss.post("/api/v1/admin/checkin", json={"code": new_code})).status_code == 200
    refunds = (await seller.get(f"/api/v1/orders/{order['order_id']}/refunds")).json()
    assert [(x["reason"], x["amount_cents"], x["status"]) for x in refunds] == [("resale", face, "sent")]
    assert [n["kind"] for n in (await seller.get("/api/v1/notifications")).json()] == ["resale_sold"]
    assert (await client.get(f"/api/v1/shows/{show.id}/resale")).json() == []
    assert await valid_per_seat_ok(container) and await sold_matches_tickets(container, ga(show))


async def test_withdraw_and_a_failed_payment(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    seller, buyer = await sign_up(client), await sign_up(client)
    code = (await buy(seller, show))["tickets"][0]["code"]
    listing = (await list_ticket(seller, code, 1000)).json()[0]
    r = await buy_listing(buyer, listing["listing_id"], outcome="decline")
    assert r.status_code == 402
    r = await seller.delete(f"/api/v1/resale/listings/{listing['listing_id']}")  # the failed buyer let go
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert (await seller.get(f"/api/v1/tickets/{code}")).json()["status"] == "valid"
    r = await buy_listing(buyer, listing["listing_id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "listing_unavailable")


async def test_resale_abuse_gets_a_clear_error_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    seller, other, boss = await sign_up(client), await sign_up(client), await organiser(container, client)
    codes = [t["code"] for t in (await buy(seller, show, quantity=3))["tickets"]]
    face = 20_000
    used, transferred = codes[1], codes[2]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": used})).status_code == 200
    r = await seller.post(f"/api/v1/tickets/{transferred}/transfer", json={"email": other.email},
                          headers={"Idempotency-Key": key()})  # fmt: skip
    assert r.status_code == 201
    received = [n for n in (await other.get("/api/v1/notifications")).json() if n["kind"] == "transfer_in"][0]
    before = await snapshot(container)
    for fan, body, status, error in [
        (seller, {"ticket_codes": [codes[0]], "price_cents": face + 1}, 422, "invalid_request"),  # above the cap
        (seller, {"ticket_codes": [used], "price_cents": face}, 409, "already_used"),
        (seller, {"ticket_codes": [transferred], "price_cents": face}, 409, "ticket_not_valid"),
        (other, {"ticket_codes": [received["data"]["code"]], "price_cents": face}, 409, "not_allowed"),
        (other, {"ticket_codes": [codes[0]], "price_cents": face}, 404, "not_found"),
        (seller, {"ticket_codes": [codes[0], codes[0]], "price_cents": face}, 422, "invalid_request"),
        (seller, {"ticket_codes": [codes[0]], "price_cents": 0}, 422, "invalid_request"),
    ]:
        r = await fan.post("/api/v1/resale/listings", json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, error), (body, r.text)
    assert await snapshot(container) == before

    listing = (await list_ticket(seller, codes[0], face)).json()[0]
    full = await sign_up(client)
    await buy(full, show, quantity=4)
    before = await snapshot(container)
    r = await buy_listing(seller, listing["listing_id"])  # your own listing
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")
    r = await buy_listing(full, listing["listing_id"])  # over the buyer's limit
    assert (r.status_code, r.json()["error"]["code"]) == (409, "limit_exceeded")
    assert await snapshot(container) == before
    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale", json={"resale_cap_percent": 110})
    assert r.status_code == 200
    r = await list_ticket(seller, codes[0], face + 1)  # listed already
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ticket_not_valid")

"""A fan buys through the JSON API, start to finish, on each backend."""

from __future__ import annotations

import httpx

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from tests.support import organiser, sign_up


async def test_fan_buys_general_admission_tickets(client: httpx.AsyncClient, show: Show) -> None:
    fan = await sign_up(client)
    pista, _ = show.sections
    r = await client.get(f"/api/v1/shows/{show.id}/availability")
    assert r.status_code == 200
    assert r.json()["sections"][0]["available"] == 100

    r = await fan.hold(show.id, pista.id, key="k1", quantity=2)
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["status"] == "active" and len(hold["items"]) == 2
    r = await client.get(f"/api/v1/shows/{show.id}/availability")
    assert r.json()["sections"][0]["available"] == 98

    r = await fan.pay(hold["hold_id"], key="o1")
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "paid" and order["amount_cents"] == 40_000
    codes = [t["code"] for t in order["tickets"]]
    assert len(set(codes)) == 2

    r = await fan.get(f"/api/v1/tickets/{codes[0]}")
    assert r.status_code == 200
    assert r.json()["qr_svg_data_uri"].startswith("data:image/svg+xml")
    r = await fan.get("/api/v1/orders")
    assert [o["order_id"] for o in r.json()] == [order["order_id"]]
    r = await fan.get(f"/api/v1/holds/{hold['hold_id']}")
    assert r.json()["status"] == "converted"
    r = await client.get(f"/api/v1/shows/{show.id}/availability")
    assert r.json()["sections"][0]["available"] == 98


async def test_fan_picks_seats_and_seat_map_shows_them(client: httpx.AsyncClient, show: Show) -> None:
    fan = await sign_up(client)
    _, cadeira = show.sections
    r = await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")
    seats = r.json()["seats"]
    assert len(seats) == 20 and {s["status"] for s in seats} == {"free"}
    picked = [seats[0]["id"], seats[1]["id"]]

    r = await fan.hold(show.id, cadeira.id, seat_ids=picked)
    assert r.status_code == 201, r.text
    assert [i["seat"] for i in r.json()["items"]] == ["A-1", "A-2"]
    hold_id = r.json()["hold_id"]
    seat_states = await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")
    assert [s["status"] for s in seat_states.json()["seats"][:3]] == ["held", "held", "free"]

    other = await sign_up(client)
    r = await other.hold(show.id, cadeira.id, seat_ids=[picked[1]])
    assert r.status_code == 409 and r.json()["error"]["code"] == "seats_unavailable"

    r = await fan.pay(hold_id, key="pay-seats")
    assert r.status_code == 201, r.text
    assert sorted(t["seat"] for t in r.json()["tickets"]) == ["A-1", "A-2"]
    seat_states = await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")
    assert [s["status"] for s in seat_states.json()["seats"][:3]] == ["sold", "sold", "free"]


async def test_organiser_sets_up_a_show_and_checks_in(
    client: httpx.AsyncClient, container: Container
) -> None:
    boss = await organiser(container, client)
    body = {
        "name": "Club Gig",
        "venue": "Small Club",
        "starts_at": "2030-02-01T22:00:00Z",
        "sale_opens_at": "2029-12-01T10:00:00Z",
        "sale_closes_at": "2030-02-01T20:00:00Z",
        "per_account_limit": 2,
        "currency": "brl",
        "sections": [
            {"name": "Floor", "kind": "ga", "price_cents": 5000, "capacity": 10},
            {"name": "Balcony", "kind": "seated", "price_cents": 9000,
             "rows": [{"label": "A", "seats": 3}, {"label": "B", "seats": 2}]},
        ],
    }  # fmt: skip
    r = await boss.post("/api/v1/admin/shows", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["currency"] == "BRL"
    assert [s["capacity"] for s in created["sections"]] == [10, 5]
    floor = created["sections"][0]

    r = await boss.patch(f"/api/v1/admin/shows/{created['id']}/sections/{floor['id']}",
                         json={"capacity": 12, "price_cents": 6000})  # fmt: skip
    assert r.status_code == 200 and r.json()["capacity"] == 12

    fan = await sign_up(client)
    hold = (await fan.hold(created["id"], floor["id"], quantity=2)).json()
    order = (await fan.pay(hold["hold_id"], key="gig")).json()

    r = await boss.get(f"/api/v1/admin/shows/{created['id']}/stats")
    stats = r.json()
    assert (stats["sold"], stats["held"], stats["revenue_cents"]) == (2, 0, 12_000)
    assert stats["available"] == 10 + 5

    code = order["tickets"][0]["code"]
    r = await boss.post("/api/v1/admin/checkin", json={"code": code})
    assert r.status_code == 200 and r.json()["checked_in_at"]
    r = await boss.post("/api/v1/admin/checkin", json={"code": code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_used"

    r = await fan.post("/api/v1/admin/checkin", json={"code": code})
    assert r.status_code == 403

    r = await boss.get(f"/api/v1/admin/shows/{created['id']}/export")
    exported = r.json()
    assert exported["sections"][1]["rows"] == [{"label": "A", "seats": 3}, {"label": "B", "seats": 2}]

"""The sold-out gate below FastAPI, through the whole app on SQLite and
PostgreSQL: the crowd is refused without the database, the session store or
the rate limits; everything that deserves another answer still gets it."""

from __future__ import annotations

import httpx

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from tests.observability.test_metrics import scrape, value
from tests.support import Fan, QueryCounter, show_spec, sign_up


async def _sold_out_show(
    client: httpx.AsyncClient, container: Container
) -> tuple[Show, int, Fan, str]:
    """A show whose GA section (3) and first seat are held; returns the show,
    that seat, the buyer and their GA hold (made with key "k1")."""
    show = await container.inventory.create_show(show_spec(ga_capacity=3))
    pista, cadeira = show.sections
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    first = seats["seats"][0]["id"]
    buyer = await sign_up(client)
    held = await buyer.hold(show.id, pista.id, key="k1", quantity=3)
    assert held.status_code == 201
    assert (await buyer.hold(show.id, cadeira.id, seat_ids=[first])).status_code == 201
    await client.get(f"/api/v1/shows/{show.id}/availability")
    await container.tickets.settle()
    return show, first, buyer, held.json()["hold_id"]


async def test_the_crowd_is_refused_before_authentication_and_without_the_database(
    client: httpx.AsyncClient, container: Container
) -> None:
    show, seat, _, _ = await _sold_out_show(client, container)
    pista, cadeira = show.sections
    stranger = {"Authorization": "Bearer not-a-session-at-all"}
    with QueryCounter(container) as queries:
        for _ in range(20):
            r = await client.post(
                "/api/v1/holds", headers=stranger,
                json={"show_id": show.id, "section_id": pista.id, "quantity": 1},
            )  # fmt: skip
            assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out", r.text
            r = await client.post(
                "/api/v1/holds", headers=stranger,
                json={"show_id": show.id, "section_id": cadeira.id, "seat_ids": [seat]},
            )  # fmt: skip
            assert r.status_code == 409 and r.json()["error"]["code"] == "seats_unavailable"
    assert queries.count == 0
    found = await scrape(client)  # counted and timed like any answer, under the route's template
    assert value(found, "boxoffice_http_requests_total", method="POST", route="/api/v1/holds",
                 status="409") == 40  # fmt: skip
    assert value(found, "boxoffice_errors_total", code="sold_out") == 20
    assert value(found, "boxoffice_errors_total", code="seats_unavailable") == 20
    # the same bad token on a section with tickets left is what it always was
    r = await client.post(
        "/api/v1/holds", headers=stranger,
        json={"show_id": show.id, "section_id": cadeira.id, "seat_ids": [seat + 1]},
    )  # fmt: skip
    assert r.status_code == 401


async def test_requests_that_deserve_another_answer_still_get_it(
    client: httpx.AsyncClient, container: Container
) -> None:
    show, _, buyer, hold_id = await _sold_out_show(client, container)
    pista = show.sections[0]
    body = {"show_id": show.id, "section_id": pista.id, "quantity": 1}
    fan = await sign_up(client)

    r = await client.post("/api/v1/holds", json=body)
    assert r.status_code == 401  # no credentials at all
    r = await fan.post("/api/v1/holds", json={**body, "quantity": 0})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = await fan.post("/api/v1/holds", json={**body, "colour": "blue"})
    assert r.status_code == 422
    r = await fan.post(
        "/api/v1/holds", content=b'{"show_id": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"

    # A retry of the hold that sold the section out is that hold, not a 409.
    buyer_retry = await buyer.hold(show.id, pista.id, key="k1", quantity=3)
    assert buyer_retry.status_code == 201 and buyer_retry.json()["hold_id"] == hold_id

    r = await fan.hold(show.id, pista.id, quantity=1)
    assert r.status_code == 409  # and the fast answer is the API's usual one
    assert r.json() == {"error": {"code": "sold_out", "message": r.json()["error"]["message"], "available": 0}}



async def test_availability_is_answered_from_the_ready_bytes_and_counted_under_its_template(
    client: httpx.AsyncClient, container: Container
) -> None:
    show, _, _, _ = await _sold_out_show(client, container)
    url = f"/api/v1/shows/{show.id}/availability"
    first = await client.get(url)
    with QueryCounter(container) as queries:
        again = [await client.get(url) for _ in range(5)]
    assert queries.count == 0
    assert all(r.status_code == 200 and r.content == first.content for r in again)
    assert again[0].headers["content-type"] == "application/json"
    assert again[0].json()["sections"][0]["available"] == 0
    found = await scrape(client)
    assert value(found, "boxoffice_http_requests_total", method="GET",
                 route="/api/v1/shows/{show_id}/availability", status="200") == 7  # fmt: skip

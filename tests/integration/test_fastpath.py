"""The fast paths below FastAPI, through the whole app on SQLite and
PostgreSQL: the crowd is refused without the database, the session store or
the rate limits; a bearer hold is made without FastAPI, with the route's
answers; everything that deserves another answer still gets it."""

from __future__ import annotations

from pathlib import Path

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.web.app import create_app
from boxoffice.web.deps import current_account
from tests.observability.test_metrics import scrape, value
from tests.support import Fan, QueryCounter, make_container, settings_for, show_spec, sign_up


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


async def test_a_bearer_hold_is_made_below_fastapi_with_the_routes_answers(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    del container  # only for the migrated database; this test needs its own hold rate
    own = make_container(settings_for(tmp_path, database_url, hold_rate="4/minute"), clock)
    app = create_app(own, sweep_every=None)

    async def not_here() -> None:
        raise RuntimeError("FastAPI resolved the route's dependencies")

    app.dependency_overrides[current_account] = not_here  # any route that authenticates fails
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            show = await own.inventory.create_show(show_spec(ga_capacity=10, limit=4))
            pista = show.sections[0]
            fan = await sign_up(client)
            made = await fan.hold(show.id, pista.id, key="k1", quantity=3)
            assert made.status_code == 201, made.text
            assert made.json()["quantity"] == 3 and made.json()["section_id"] == pista.id
            again = await fan.hold(show.id, pista.id, key="k1", quantity=3)  # a retry: that hold
            assert again.status_code == 201 and again.json()["hold_id"] == made.json()["hold_id"]

            over = await fan.hold(show.id, pista.id, quantity=2)  # 3 held, limit 4
            assert (over.status_code, over.json()["error"]["code"]) == (409, "limit_exceeded")
            lost = await fan.hold(show.id, "no-such-section", quantity=1)
            assert (lost.status_code, lost.json()["error"]["code"]) == (404, "not_found")
            limited = await fan.hold(show.id, pista.id, quantity=1)  # the 5th hold this minute
            assert (limited.status_code, limited.json()["error"]["code"]) == (429, "rate_limited")
            assert int(limited.headers["retry-after"]) >= 1
            stranger = await client.post(
                "/api/v1/holds", headers={"Authorization": "Bearer not-a-session"},
                json={"show_id": show.id, "section_id": pista.id, "quantity": 1},
            )  # fmt: skip
            assert (stranger.status_code, stranger.json()["error"]["code"]) == (401, "not_authenticated")

            found = await scrape(client)
            assert value(found, "boxoffice_http_requests_total", method="POST", route="/api/v1/holds",
                         status="201") == 2  # fmt: skip
            assert value(found, "boxoffice_errors_total", code="limit_exceeded") == 1
            # and the route itself is what FastAPI would have run: it fails here
            assert (await fan.get(f"/api/v1/holds/{made.json()['hold_id']}")).status_code == 500
    finally:
        await own.close()


async def test_a_bearer_order_is_paid_below_fastapi_with_the_routes_answers(
    client: httpx.AsyncClient, container: Container, tmp_path: Path, database_url: str, clock: FakeClock
) -> None:
    del client, container  # only for the migrated database
    own = make_container(settings_for(tmp_path, database_url), clock)
    app = create_app(own, sweep_every=None)

    async def not_here() -> None:
        raise RuntimeError("FastAPI resolved the route's dependencies")

    app.dependency_overrides[current_account] = not_here
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            show = await own.inventory.create_show(show_spec(ga_capacity=10, limit=4))
            pista = show.sections[0]
            fan, other = await sign_up(client), await sign_up(client)
            hold_id = (await fan.hold(show.id, pista.id, quantity=2)).json()["hold_id"]
            paid = await fan.pay(hold_id, key="o1")
            assert paid.status_code == 201, paid.text
            assert paid.json()["status"] == "paid" and len(paid.json()["tickets"]) == 2
            again = await fan.pay(hold_id, key="o1")  # a retry: that order, charged once
            assert again.status_code == 201 and again.json()["order_id"] == paid.json()["order_id"]
            twice = await fan.pay(hold_id, key="o2")
            assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_paid")
            theirs = await other.pay(hold_id, key="o3")  # another account's hold
            assert (theirs.status_code, theirs.json()["error"]["code"]) == (404, "not_found")
            keyless = await fan.post("/api/v1/orders", json={"hold_id": hold_id, "payment": {"method": "fake"}})
            assert (keyless.status_code, keyless.json()["error"]["code"]) == (422, "invalid_request")
            stranger = await client.post(
                "/api/v1/orders", headers={"Authorization": "Bearer not-a-session", "Idempotency-Key": "x"},
                json={"hold_id": hold_id, "payment": {"method": "fake"}},
            )  # fmt: skip
            assert (stranger.status_code, stranger.json()["error"]["code"]) == (401, "not_authenticated")
            # a body the schema refuses goes to the route, which explains it (and fails here)
            wrong = await fan.post("/api/v1/orders", json={"hold_id": hold_id, "payment": {"method": "cash"}},
                                   headers={"Idempotency-Key": "o4"})  # fmt: skip
            assert wrong.status_code == 500

            found = await scrape(client)
            assert value(found, "boxoffice_http_requests_total", method="POST", route="/api/v1/orders",
                         status="201") == 2  # fmt: skip
            assert value(found, "boxoffice_errors_total", code="already_paid") == 1
    finally:
        await own.close()

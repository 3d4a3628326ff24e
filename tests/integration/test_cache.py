"""The ticket and session caches (in-process adapter): fresh after every kind
of change, a sold-out gate that never touches the database, and a gate that
reopens when held tickets come back."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.support import Fan, QueryCounter, organiser, show_spec, sign_up


async def _available(client: httpx.AsyncClient, show_id: str) -> list[int]:
    r = await client.get(f"/api/v1/shows/{show_id}/availability")
    assert r.status_code == 200, r.text
    return [s["available"] for s in r.json()["sections"]]


async def test_availability_is_fresh_after_every_kind_of_change(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    fan = await sign_up(client)
    pista = show.sections[0]
    assert await _available(client, show.id) == [100, 20]  # cache now warm

    held = (await fan.hold(show.id, pista.id, quantity=2)).json()
    assert await _available(client, show.id) == [98, 20]  # hold
    await fan.delete(f"/api/v1/holds/{held['hold_id']}")
    assert await _available(client, show.id) == [100, 20]  # release
    held = (await fan.hold(show.id, pista.id, quantity=1)).json()
    assert (await fan.pay(held["hold_id"], key="p")).status_code == 201
    assert await _available(client, show.id) == [99, 20]  # sale
    await fan.hold(show.id, pista.id, quantity=3)
    assert await _available(client, show.id) == [96, 20]
    clock.advance(minutes=10)
    assert await _available(client, show.id) == [99, 20]  # expiry, with nothing run

    boss = await organiser(container, client)
    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/sections/{pista.id}", json={"capacity": 150})
    assert r.status_code == 200
    assert await _available(client, show.id) == [149, 20]  # organiser edit


async def test_seat_map_is_fresh_after_hold_and_expiry(
    client: httpx.AsyncClient, show: Show, clock: FakeClock
) -> None:
    cadeira = show.sections[1]
    url = f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats"
    seat = (await client.get(url)).json()["seats"][3]["id"]
    fan = await sign_up(client)
    await fan.hold(show.id, cadeira.id, seat_ids=[seat])
    assert (await client.get(url)).json()["seats"][3]["status"] == "held"
    clock.advance(minutes=10)
    assert (await client.get(url)).json()["seats"][3]["status"] == "free"


async def test_sold_out_rejections_never_query_the_database(
    client: httpx.AsyncClient, container: Container, clock: FakeClock
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=3))
    pista, cadeira = show.sections
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    first = seats["seats"][0]["id"]
    buyer, crowd = await sign_up(client), await sign_up(client)
    assert (await buyer.hold(show.id, pista.id, quantity=3)).status_code == 201
    assert (await buyer.hold(show.id, cadeira.id, seat_ids=[first])).status_code == 201
    await crowd.get("/api/v1/me")  # the crowd's session is now cached too
    await container.tickets.settle()  # the rebuilds the holds started are done

    with QueryCounter(container) as queries:
        for _ in range(50):
            r = await crowd.hold(show.id, pista.id, quantity=1)
            assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out"
            r = await crowd.hold(show.id, cadeira.id, seat_ids=[first])
            assert r.status_code == 409 and r.json()["error"]["code"] == "seats_unavailable"
            assert (await _available(client, show.id))[0] == 0
    assert queries.count == 0

    clock.advance(minutes=10)  # the holds expire: the gate reopens at once
    r = await crowd.hold(show.id, pista.id, quantity=1)
    assert r.status_code == 201, r.text
    r = await crowd.hold(show.id, cadeira.id, seat_ids=[first])
    assert r.status_code == 201, r.text


async def test_gate_reopens_when_a_hold_is_released(
    client: httpx.AsyncClient, container: Container
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=2))
    pista = show.sections[0]
    buyer, waiting = await sign_up(client), await sign_up(client)
    held = (await buyer.hold(show.id, pista.id, quantity=2)).json()
    assert (await waiting.hold(show.id, pista.id, quantity=1)).status_code == 409
    await buyer.delete(f"/api/v1/holds/{held['hold_id']}")
    assert (await waiting.hold(show.id, pista.id, quantity=1)).status_code == 201


async def test_sessions_are_served_from_the_cache_and_logout_is_immediate(
    client: httpx.AsyncClient, container: Container
) -> None:
    fan = await sign_up(client)
    assert (await fan.get("/api/v1/me")).status_code == 200
    with QueryCounter(container) as queries:
        assert (await fan.get("/api/v1/me")).status_code == 200
    assert queries.count == 0
    assert (await fan.post("/api/v1/auth/logout")).status_code == 204
    assert (await fan.get("/api/v1/me")).status_code == 401


async def test_buyer_live_holds_come_from_the_session_cache(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    fan: Fan = await sign_up(client)
    held = (await fan.hold(show.id, show.sections[0].id, quantity=2)).json()
    r = await fan.get("/api/v1/me/holds", params={"show_id": show.id})
    assert [h["hold_id"] for h in r.json()] == [held["hold_id"]]
    await container.tickets.settle()  # the availability rebuild the hold started
    with QueryCounter(container) as queries:
        again = await fan.get("/api/v1/me/holds", params={"show_id": show.id})
    assert again.json() == r.json() and queries.count == 0
    # A new hold drops the cached list before it is answered: through a batch
    # (general admission) and through the single-hold path (seats) alike.
    ga, seated = show.sections[0], show.sections[1]
    more = (await fan.hold(show.id, ga.id, quantity=1)).json()
    listed = (await fan.get("/api/v1/me/holds", params={"show_id": show.id})).json()
    assert {h["hold_id"] for h in listed} == {held["hold_id"], more["hold_id"]}
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{seated.id}/seats")).json()["seats"]
    seat = (await fan.hold(show.id, seated.id, seat_ids=[seats[0]["id"]])).json()
    listed = (await fan.get("/api/v1/me/holds", params={"show_id": show.id})).json()
    assert {h["hold_id"] for h in listed} == {held["hold_id"], more["hold_id"], seat["hold_id"]}
    for hold_id in (more["hold_id"], seat["hold_id"]):
        assert (await fan.delete(f"/api/v1/holds/{hold_id}")).status_code == 200
    await fan.pay(held["hold_id"], key="paid")
    assert (await fan.get("/api/v1/me/holds", params={"show_id": show.id})).json() == []


async def test_the_gate_keeps_refusing_while_the_shared_copy_is_rebuilt(
    client: httpx.AsyncClient, container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared snapshot expires every few seconds; while it is rebuilt the
    sold-out crowd is still refused from what this process saw a moment ago."""
    show = await container.inventory.create_show(show_spec(ga_capacity=2))
    pista = show.sections[0]
    buyer, crowd = await sign_up(client), await sign_up(client)
    assert (await buyer.hold(show.id, pista.id, quantity=2)).status_code == 201
    await crowd.get("/api/v1/me")
    assert (await crowd.hold(show.id, pista.id, quantity=1)).status_code == 409
    await container.tickets.settle()

    rebuilding = asyncio.Event()
    real = container.inventory.availability_snapshot

    async def slow_rebuild(show_id: str) -> object:
        await rebuilding.wait()
        return await real(show_id)

    monkeypatch.setattr(container.inventory, "availability_snapshot", slow_rebuild)
    await container.cache.delete(f"avail:{show.id}")  # the shared copy's TTL ran out
    container.local.drop(show.id)
    try:
        with QueryCounter(container) as queries:
            for _ in range(20):
                r = await crowd.hold(show.id, pista.id, quantity=1)
                assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out", r.text
        assert queries.count == 0
        clock.advance(seconds=5)  # what it saw is now older than two TTLs: the database decides
        with QueryCounter(container) as queries:
            r = await crowd.hold(show.id, pista.id, quantity=1)
            assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out"
        assert queries.count > 0
    finally:
        rebuilding.set()  # the rebuild in flight may finish
    await container.tickets.settle()

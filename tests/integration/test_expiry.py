"""Invariant 3: holds expire at their expiry with nothing having to run, and an
expired hold cannot be paid. Time comes from the injected FakeClock."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import sections
from boxoffice.storage.uow import unit_of_work_factory
from tests.support import sign_up


async def _available(client: httpx.AsyncClient, show: Show) -> list[int]:
    r = await client.get(f"/api/v1/shows/{show.id}/availability")
    return [s["available"] for s in r.json()["sections"]]


async def test_expired_hold_returns_tickets_without_any_job(
    client: httpx.AsyncClient, show: Show, clock: FakeClock
) -> None:
    fan = await sign_up(client)
    pista = show.sections[0]
    hold = (await fan.hold(show.id, pista.id, quantity=3)).json()
    assert await _available(client, show) == [97, 20]

    clock.advance(minutes=9, seconds=59)
    assert await _available(client, show) == [97, 20]
    assert (await fan.get(f"/api/v1/holds/{hold['hold_id']}")).json()["seconds_left"] == 1

    clock.advance(seconds=1)
    assert await _available(client, show) == [100, 20]
    r = await fan.get(f"/api/v1/holds/{hold['hold_id']}")
    assert r.json()["status"] == "expired" and r.json()["seconds_left"] == 0

    r = await fan.pay(hold["hold_id"], key="too-late")
    assert r.status_code == 409 and r.json()["error"]["code"] == "hold_expired"
    r = await fan.delete(f"/api/v1/holds/{hold['hold_id']}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "hold_expired"


async def test_expired_tickets_can_be_held_again_and_counters_stay_exact(
    client: httpx.AsyncClient, container: Container, clock: FakeClock
) -> None:
    from tests.support import show_spec

    show = await container.inventory.create_show(show_spec(ga_capacity=4))
    pista = show.sections[0]
    first, second = await sign_up(client), await sign_up(client)
    assert (await first.hold(show.id, pista.id, quantity=4)).status_code == 201
    r = await second.hold(show.id, pista.id, quantity=1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out"

    clock.advance(minutes=10)
    r = await second.hold(show.id, pista.id, quantity=4)
    assert r.status_code == 201, r.text
    async with container.database.engine.connect() as conn:
        row = (await conn.execute(select(sections).where(sections.c.id == pista.id))).one()
    assert (row.held_count, row.sold_count) == (4, 0)


async def test_expired_seats_are_free_on_the_map_and_for_others(
    client: httpx.AsyncClient, show: Show, clock: FakeClock
) -> None:
    cadeira = show.sections[1]
    first, second = await sign_up(client), await sign_up(client)
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    seat = seats["seats"][5]["id"]
    old = (await first.hold(show.id, cadeira.id, seat_ids=[seat])).json()

    clock.advance(minutes=10, seconds=1)
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    assert seats["seats"][5]["status"] == "free"
    new = await second.hold(show.id, cadeira.id, seat_ids=[seat])
    assert new.status_code == 201
    r = await first.pay(old["hold_id"], key="stale")
    assert r.status_code == 409 and r.json()["error"]["code"] == "hold_expired"
    r = await second.pay(new.json()["hold_id"], key="fresh")
    assert r.status_code == 201 and r.json()["tickets"][0]["seat"] == "A-6"


async def test_sweep_reclaims_dead_holds_and_is_optional(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    fan = await sign_up(client)
    pista, cadeira = show.sections
    await fan.hold(show.id, pista.id, quantity=2)
    seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    await fan.hold(show.id, cadeira.id, seat_ids=[seats["seats"][0]["id"]])
    assert await container.holds.sweep() == 0

    clock.advance(minutes=11)
    assert await _available(client, show) == [100, 20]
    assert await container.holds.sweep() == 2
    assert await container.holds.sweep() == 0
    async with container.database.engine.connect() as conn:
        held = (await conn.execute(select(sections.c.held_count))).scalars().all()
    assert held == [0, 0]
    assert await _available(client, show) == [100, 20]


async def test_released_hold_frees_tickets_at_once(client: httpx.AsyncClient, show: Show) -> None:
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, show.sections[0].id, quantity=4)).json()
    r = await fan.delete(f"/api/v1/holds/{hold['hold_id']}")
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert await _available(client, show) == [100, 20]
    r = await fan.delete(f"/api/v1/holds/{hold['hold_id']}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "hold_not_active"
    r = await fan.pay(hold["hold_id"], key="after-release")
    assert r.status_code == 409 and r.json()["error"]["code"] == "hold_not_active"


async def test_limit_counts_held_and_bought_and_frees_on_expiry(
    client: httpx.AsyncClient, show: Show, clock: FakeClock
) -> None:
    fan = await sign_up(client)
    pista = show.sections[0]
    bought = (await fan.hold(show.id, pista.id, quantity=2)).json()
    assert (await fan.pay(bought["hold_id"], key="b")).status_code == 201
    assert (await fan.hold(show.id, pista.id, quantity=2)).status_code == 201
    r = await fan.hold(show.id, pista.id, quantity=1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "limit_exceeded"
    assert r.json()["error"]["remaining"] == 0 and "Retry-After" not in r.headers  # a rule, not a rate

    clock.advance(minutes=10)
    assert (await fan.hold(show.id, pista.id, quantity=2)).status_code == 201
    r = await fan.hold(show.id, pista.id, quantity=1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "limit_exceeded"


async def test_the_snapshot_statement_reads_what_availability_and_next_expiry_read(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    """The cache's one-statement snapshot (counters less dead holds, the next
    live expiry) against the two queries it replaces: dead, live and no holds."""
    pista = show.sections[0]
    early, late = await sign_up(client), await sign_up(client)
    assert (await early.hold(show.id, pista.id, quantity=2)).status_code == 201
    clock.advance(minutes=5)
    assert (await late.hold(show.id, pista.id, quantity=1)).status_code == 201
    for moment in (0, 6, 30):  # both live; the first one dead; both dead
        clock.advance(minutes=moment)
        now = clock.now()
        async with unit_of_work_factory(container.database)() as uow:
            together = await uow.shows.availability_until(show.id, now)
            apart = (await uow.shows.availability(show.id, now), await uow.shows.next_expiry(now, show_id=show.id))
        assert together == apart
    assert [a.held for a in together[0]] == [0, 0] and together[1] is None
    async with unit_of_work_factory(container.database)() as uow:
        assert await uow.shows.availability_until("no-such-show", clock.now()) == ([], None)

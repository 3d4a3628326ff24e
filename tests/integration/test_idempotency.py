"""Invariant 2: retries never create a second hold or take a payment twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.errors import HoldExpired
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import Show
from boxoffice.orders.payments import Charge, FakeGateway
from boxoffice.storage.tables import holds, orders
from tests.support import make_container, sign_up, settings_for


async def _count(container: Container, table) -> int:  # type: ignore[no-untyped-def]
    async with container.database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))


async def test_retried_hold_returns_the_same_hold(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    pista = show.sections[0]
    first = await fan.hold(show.id, pista.id, key="same", quantity=2)
    again = await fan.hold(show.id, pista.id, key="same", quantity=2)
    assert first.status_code == again.status_code == 201
    assert first.json()["hold_id"] == again.json()["hold_id"]
    assert await _count(container, holds) == 1

    other = await fan.hold(show.id, pista.id, key="same", quantity=1)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_retry_after_the_hold_sold_the_section_out_returns_that_hold(
    client: httpx.AsyncClient, container: Container
) -> None:
    """The answer was lost, the fan retries: the section is sold out now (by
    this very hold), yet the retry must return the hold, not "sold out"."""
    from tests.support import show_spec

    tiny = await container.inventory.create_show(show_spec(ga_capacity=2))
    fan = await sign_up(client)
    pista = tiny.sections[0]
    first = await fan.hold(tiny.id, pista.id, key="last-two", quantity=2)
    assert first.status_code == 201
    assert (await client.get(f"/api/v1/shows/{tiny.id}/availability")).json()["sections"][0]["sold_out"]
    again = await fan.hold(tiny.id, pista.id, key="last-two", quantity=2)
    assert again.status_code == 201, again.text
    assert again.json()["hold_id"] == first.json()["hold_id"]
    # the refusal's look for a replay (one statement on PostgreSQL) still tells a reused key
    reused = await fan.hold(tiny.id, pista.id, key="last-two", quantity=1)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    late = await (await sign_up(client)).hold(tiny.id, pista.id, key="last-two", quantity=1)
    assert late.status_code == 409 and late.json()["error"]["code"] == "sold_out"
    assert await _count(container, holds) == 1


@pytest.mark.parametrize("seated", [False, True], ids=["general-admission", "seats"])
async def test_a_retry_refused_for_any_reason_since_returns_the_hold(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock, seated: bool
) -> None:
    """The sale closed after the hold was made: the refusal a new request gets
    must not hide the hold from its retry (nor make a second one)."""
    fan = await sign_up(client)
    section = show.sections[1 if seated else 0]
    if seated:
        seats = (await client.get(f"/api/v1/shows/{show.id}/sections/{section.id}/seats")).json()
        body, other = ({"seat_ids": [seats["seats"][i]["id"]]} for i in (0, 1))
    else:
        body = other = {"quantity": 2}
    first = await fan.hold(show.id, section.id, key="before-close", **body)
    assert first.status_code == 201
    await container.inventory.update_show(show.id, {"sale_closes_at": clock.now()})  # closed early
    fresh = await fan.hold(show.id, section.id, key="another", **other)
    assert fresh.status_code == 409 and fresh.json()["error"]["code"] == "sale_not_open"
    again = await fan.hold(show.id, section.id, key="before-close", **body)
    assert again.status_code == 201, again.text
    assert again.json()["hold_id"] == first.json()["hold_id"]
    assert await _count(container, holds) == 1


async def test_concurrent_retries_of_one_hold_make_one_hold(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    responses = await asyncio.gather(
        *(fan.hold(show.id, show.sections[0].id, key="burst", quantity=1) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["hold_id"] for r in responses}) == 1
    assert await _count(container, holds) == 1


async def test_retried_order_is_charged_once(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, show.sections[0].id, quantity=2)).json()
    responses = await asyncio.gather(*(fan.pay(hold["hold_id"], key="pay-once") for _ in range(5)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["order_id"] for r in responses}) == 1
    assert len({tuple(t["code"] for t in r.json()["tickets"]) for r in responses}) == 1
    gateway = container.gateway
    assert isinstance(gateway, FakeGateway) and gateway.captured == 1
    assert await _count(container, orders) == 1


async def test_two_orders_for_one_hold_sell_it_once(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, show.sections[0].id, quantity=1)).json()
    responses = await asyncio.gather(*(fan.pay(hold["hold_id"], key=f"k{i}") for i in range(4)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1 and statuses[409] == 3
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"already_paid"}
    gateway = container.gateway
    assert isinstance(gateway, FakeGateway) and gateway.captured == 1
    sold = (await container.inventory.availability(show.id))[0].sold
    assert sold == 1


async def test_declined_payment_keeps_the_hold_and_a_new_attempt_works(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, show.sections[0].id, quantity=1)).json()
    r = await fan.pay(hold["hold_id"], key="card-1", outcome="decline")
    assert r.status_code == 402 and r.json()["error"]["code"] == "payment_declined"
    assert (await fan.pay(hold["hold_id"], key="card-1")).status_code == 402  # same key, same answer
    assert (await fan.get(f"/api/v1/holds/{hold['hold_id']}")).json()["status"] == "active"

    r = await fan.pay(hold["hold_id"], key="card-2", outcome="timeout")
    assert r.status_code == 504 and r.json()["error"]["code"] == "payment_timeout"
    r = await fan.pay(hold["hold_id"], key="card-3")
    assert r.status_code == 201
    history = (await fan.get("/api/v1/orders")).json()
    assert sorted(o["status"] for o in history) == ["failed", "failed", "paid"]


class SlowGateway(FakeGateway):
    """Approves, but the hold runs out while the provider thinks."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self._clock = clock

    async def charge(self, idempotency_key, amount_cents, currency, payment) -> Charge:  # type: ignore[no-untyped-def]
        self._clock.advance(minutes=11)
        return await super().charge(idempotency_key, amount_cents, currency, payment)


@pytest.fixture
async def slow_container(database_url: str, tmp_path, clock: FakeClock, container: Container):  # type: ignore[no-untyped-def]
    c = make_container(settings_for(tmp_path, database_url), clock, SlowGateway(clock))
    yield c
    await c.close()


async def test_hold_expiring_during_payment_refunds_and_sells_nothing(
    slow_container: Container, show: Show
) -> None:
    fan = await slow_container.accounts.register("late@example.com", "correct horse battery", "L")
    hold = await slow_container.holds.create(fan, HoldRequest(show.id, show.sections[0].id, quantity=1))

    with pytest.raises(HoldExpired):
        await slow_container.orders.create(fan, hold.id, {"method": "fake"}, "late")
    gateway = slow_container.gateway
    assert isinstance(gateway, SlowGateway) and len(gateway.refunds) == 1 and gateway.captured == 0
    availability = await slow_container.inventory.availability(show.id)
    assert (availability[0].sold, availability[0].held) == (0, 0)
    history = await slow_container.orders.history(fan)
    assert [(o.status.value, o.failure_reason) for o in history] == [("failed", "hold_expired")]


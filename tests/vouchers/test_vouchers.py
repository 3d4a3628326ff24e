"""Vouchers: bulk creation, discounts applied when the order is made, usage
limits under concurrency, expiry, and access vouchers that open a presale
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import orders, voucher_uses
from tests.support import T0, Fan, many_fans, organiser, show_spec


async def create(container: Container, client: httpx.AsyncClient, show: Show, **body: Any) -> list[dict]:
    boss = await organiser(container, client)
    body = {"kind": "discount", "count": 1, "max_uses": 1,
            "expires_at": (T0 + timedelta(days=1)).isoformat(), **body}  # fmt: skip
    r = await boss.post(f"/api/v1/admin/shows/{show.id}/vouchers", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def order(fan: Fan, show: Show, voucher: str | None, key: str, outcome: str = "approve",
                quantity: int = 2) -> httpx.Response:  # fmt: skip
    hold = await fan.hold(show.id, show.sections[0].id, quantity=quantity)
    assert hold.status_code == 201, hold.text
    return await fan.post("/api/v1/orders", headers={"Idempotency-Key": key}, json={
        "hold_id": hold.json()["hold_id"], "payment": {"method": "fake", "outcome": outcome},
        "voucher": voucher,
    })  # fmt: skip


async def count(container: Container, table) -> int:  # type: ignore[no-untyped-def]
    async with container.database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))


async def test_a_discount_is_applied_once_and_a_declined_order_gives_its_use_back(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    codes = await create(container, client, show, count=3, percent_off=10, label="fan club")
    assert len({c["code"] for c in codes}) == 3 and all(len(c["code"]) == 23 for c in codes)
    first, second = await many_fans(container, client, 2)
    code = codes[0]["code"]

    declined = await order(first, show, code, "k1", outcome="decline")
    assert declined.status_code == 402
    paid = await order(first, show, code, "k2")
    assert paid.status_code == 201 and paid.json()["amount_cents"] == 2 * 20_000 * 90 // 100
    refused = await order(second, show, code, "k3")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "voucher_used_up"
    assert await count(container, orders) == 2  # the refusal wrote nothing
    boss = await organiser(container, client)
    listed = (await boss.get(f"/api/v1/admin/shows/{show.id}/vouchers")).json()
    assert {c["code"]: c["uses"] for c in listed}[code] == 1


async def test_bad_expired_foreign_and_wrong_kind_vouchers_are_refused_and_write_nothing(
    container: Container, client: httpx.AsyncClient, show: Show, clock: FakeClock
) -> None:
    other = await container.inventory.create_show(show_spec())
    foreign = (await create(container, client, other, amount_off_cents=500))[0]["code"]
    access = (await create(container, client, show, kind="access"))[0]["code"]
    soon = (await create(container, client, show, amount_off_cents=500,
                         expires_at=(T0 + timedelta(minutes=5)).isoformat()))[0]["code"]  # fmt: skip
    fan, = await many_fans(container, client, 1)
    clock.advance(minutes=6)
    for i, (voucher, status, error) in enumerate([
        ("NOPE1-NOPE2-NOPE3-NOPE4", 404, "voucher_invalid"), (foreign, 404, "voucher_invalid"),
        (access, 422, "voucher_wrong_kind"), (soon, 409, "voucher_expired"),
    ]):  # fmt: skip
        r = await order(fan, show, voucher, f"bad-{i}", quantity=1)
        assert (r.status_code, r.json()["error"]["code"]) == (status, error)
    assert await count(container, orders) == 0 and await count(container, voucher_uses) == 0


async def test_a_fixed_discount_never_goes_below_zero(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    code = (await create(container, client, show, amount_off_cents=1_000_000))[0]["code"]
    fan, = await many_fans(container, client, 1)
    r = await order(fan, show, code, "free", quantity=1)
    assert r.status_code == 201 and r.json()["amount_cents"] == 0


async def test_usage_limits_hold_under_concurrent_orders(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    code = (await create(container, client, show, percent_off=50, max_uses=3))[0]["code"]
    fans = await many_fans(container, client, 8)
    answers = await asyncio.gather(*(order(f, show, code, f"c{i}", quantity=1) for i, f in enumerate(fans)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 3 and statuses.count(409) == 5


async def test_an_access_voucher_opens_the_presale_up_to_its_uses(
    container: Container, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    show = await container.inventory.create_show(show_spec(opens=T0 + timedelta(hours=2)))
    boss = await organiser(container, client)
    r = await boss.client.put(f"/api/v1/admin/shows/{show.id}/presale", headers=boss.auth, json={
        "registration_opens_at": T0.isoformat(), "registration_closes_at": (T0 + timedelta(hours=1)).isoformat(),
        "general_sale_at": (T0 + timedelta(hours=3)).isoformat(),
    })  # fmt: skip
    assert r.status_code == 200, r.text
    code = (await create(container, client, show, kind="access", max_uses=2))[0]["code"]
    clock.set(T0 + timedelta(hours=2))
    fans = await many_fans(container, client, 3)
    url = f"/api/v1/shows/{show.id}/presale/code"
    assert (await fans[0].hold(show.id, show.sections[0].id, quantity=1)).status_code == 403
    for fan in fans[:2]:
        assert (await fan.post(url, json={"code": code})).json()["redeemed"] is True
    again = await fans[0].post(url, json={"code": code})
    assert again.status_code == 409 and again.json()["error"]["code"] == "presale_code_used"
    used_up = await fans[2].post(url, json={"code": code})
    assert used_up.status_code == 409 and used_up.json()["error"]["code"] == "voucher_used_up"
    assert (await fans[0].hold(show.id, show.sections[0].id, quantity=1)).status_code == 201
    assert (await fans[2].hold(show.id, show.sections[0].id, quantity=1)).status_code == 403


async def test_bad_voucher_batches_are_refused(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    boss = await organiser(container, client)
    for body in ({"kind": "discount"}, {"kind": "access", "percent_off": 5},
                 {"kind": "discount", "percent_off": 5, "amount_off_cents": 5}):  # fmt: skip
        r = await boss.post(f"/api/v1/admin/shows/{show.id}/vouchers", json={
            "count": 2, "expires_at": (T0 + timedelta(days=1)).isoformat(), **body})  # fmt: skip
        assert r.status_code == 422, r.text

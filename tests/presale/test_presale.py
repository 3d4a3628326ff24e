"""Presale: registration, the verifiable code draw, single-use account-bound
codes, and the gate in front of the queue and the hold path (SQLite and
PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import outbox_messages, presale_codes
from boxoffice.waitingroom.domain import draw_order, pseudonym
from tests.support import T0, Fan, many_fans, organiser, show_spec

SALE_OPENS = T0 + timedelta(hours=2)
GENERAL = T0 + timedelta(hours=3)


@pytest.fixture
async def presale_show(container: Container, client: httpx.AsyncClient) -> Show:
    show = await container.inventory.create_show(show_spec(opens=SALE_OPENS))
    boss = await organiser(container, client)
    r = await boss.client.put(f"/api/v1/admin/shows/{show.id}/presale", headers=boss.auth, json={
        "registration_opens_at": T0.isoformat(),
        "registration_closes_at": (T0 + timedelta(hours=1)).isoformat(),
        "general_sale_at": GENERAL.isoformat(),
    })  # fmt: skip
    assert r.status_code == 200, r.text
    return show


async def drawn(container: Container, client: httpx.AsyncClient, clock: FakeClock, show: Show,
                fans: list[Fan], codes: int) -> list[Fan]:  # fmt: skip
    """Register `fans`, close registration, draw; returns the winners, in lottery order."""
    for fan in fans:
        assert (await fan.post(f"/api/v1/shows/{show.id}/presale/registration")).status_code == 201
    clock.set(T0 + timedelta(hours=1, minutes=1))
    boss = await organiser(container, client)
    r = await boss.post(f"/api/v1/admin/shows/{show.id}/presale/draw", json={"codes": codes})
    assert r.status_code == 200, r.text
    selected = [f for f in fans if (await f.get(f"/api/v1/shows/{show.id}/presale/me")).json()["selected"]]
    assert len(selected) == codes
    return selected


async def code_of(fan: Fan, show: Show) -> str:
    return (await fan.get(f"/api/v1/shows/{show.id}/presale/me")).json()["code"]


async def test_registration_is_once_per_account_and_only_in_its_window(
    container: Container, client: httpx.AsyncClient, clock: FakeClock, presale_show: Show
) -> None:
    fan, = await many_fans(container, client, 1)
    url = f"/api/v1/shows/{presale_show.id}/presale/registration"
    clock.set(T0 - timedelta(minutes=1))
    assert (await fan.post(url)).json()["error"]["code"] == "presale_closed"
    clock.set(T0)
    assert (await fan.post(url)).status_code == 201
    again = await fan.post(url)
    assert again.status_code == 200 and again.json()["registered"] is True
    assert (await client.get(f"/api/v1/shows/{presale_show.id}/presale")).json()["registered"] == 1
    clock.set(T0 + timedelta(hours=1))
    assert (await fan.post(url)).status_code == 409


async def test_the_draw_is_the_published_seed_lottery_and_mails_each_winner_once(
    container: Container, client: httpx.AsyncClient, clock: FakeClock, presale_show: Show
) -> None:
    fans = await many_fans(container, client, 6)
    before = (await client.get(f"/api/v1/shows/{presale_show.id}/presale/lottery")).json()
    assert before["seed"] is None and before["entrants"] == []
    winners = await drawn(container, client, clock, presale_show, fans, codes=2)

    lottery = (await client.get(f"/api/v1/shows/{presale_show.id}/presale/lottery")).json()
    assert hashlib.sha256(lottery["seed"].encode()).hexdigest() == before["commitment"]
    ids = lottery["entrants"]
    assert len(ids) == 6 and ids == draw_order(lottery["seed"], None, ids)  # anyone can recompute it
    for fan in fans:
        me = (await fan.get("/api/v1/me")).json()
        assert (ids.index(pseudonym(lottery["salt"], me["id"])) < 2) == (fan in winners)
    codes = {await code_of(f, presale_show) for f in winners}
    assert len(codes) == 2 and all(len(c) == 23 for c in codes)  # 4 groups of 5, 100 bits
    async with container.database.engine.connect() as conn:
        mails = (await conn.execute(
            select(outbox_messages.c.payload).where(outbox_messages.c.kind == "email.presale_code")
        )).scalars().all()  # fmt: skip
    assert len(mails) == 2 and all(any(c in m for c in codes) for m in mails)

    boss = await organiser(container, client)
    again = await boss.post(f"/api/v1/admin/shows/{presale_show.id}/presale/draw", json={"codes": 2})
    assert again.status_code == 409


async def test_only_a_redeemed_code_opens_the_presale_then_everyone_buys(
    container: Container, client: httpx.AsyncClient, clock: FakeClock, presale_show: Show
) -> None:
    fans = await many_fans(container, client, 3)
    winner, *_ = await drawn(container, client, clock, presale_show, fans, codes=1)
    loser = next(f for f in fans if f is not winner)
    code = await code_of(winner, presale_show)
    section = presale_show.sections[0].id
    clock.set(SALE_OPENS + timedelta(minutes=1))

    for fan in (winner, loser):  # nobody without a redeemed code: queue or hold
        held = await fan.hold(presale_show.id, section, quantity=1)
        assert held.status_code == 403 and held.json()["error"]["code"] == "presale_code_required"
        joined = await fan.post(f"/api/v1/shows/{presale_show.id}/queue")
        assert joined.status_code == 403 and joined.json()["error"]["code"] == "presale_code_required"

    url = f"/api/v1/shows/{presale_show.id}/presale/code"
    refusals = [
        (loser, code, 403, "presale_code_not_yours"),
        (loser, "AAAAA-BBBBB-CCCCC-DDDDD", 404, "presale_code_invalid"),
        (winner, "not a code", 404, "presale_code_invalid"),
    ]
    for fan, typed, status, error in refusals:
        r = await fan.post(url, json={"code": typed})
        assert (r.status_code, r.json()["error"]["code"]) == (status, error)
    async with container.database.engine.connect() as conn:  # nothing written by a refusal
        assert await conn.scalar(select(func.count()).where(presale_codes.c.redeemed_at.is_not(None))) == 0

    ok = await winner.post(url, json={"code": code.lower().replace("-", " ")})  # typed loosely
    assert ok.status_code == 200 and ok.json()["redeemed"] is True
    used = await winner.post(url, json={"code": code})
    assert used.status_code == 409 and used.json()["error"]["code"] == "presale_code_used"
    assert (await winner.hold(presale_show.id, section, quantity=2)).status_code == 201
    assert (await loser.hold(presale_show.id, section, quantity=1)).status_code == 403

    clock.set(GENERAL)  # the general sale follows: no code needed
    assert (await loser.hold(presale_show.id, section, quantity=1)).status_code == 201


async def test_code_attempts_are_rate_limited(
    container: Container, client: httpx.AsyncClient, clock: FakeClock, presale_show: Show
) -> None:
    fan, = await many_fans(container, client, 1)
    clock.set(SALE_OPENS)
    url = f"/api/v1/shows/{presale_show.id}/presale/code"
    answers = [(await fan.post(url, json={"code": f"GUESS-{i:05d}"})).status_code for i in range(11)]
    assert answers[:10] == [404] * 10 and answers[10] == 429


async def test_presale_dates_must_fit_the_sale(
    container: Container, client: httpx.AsyncClient, presale_show: Show
) -> None:
    boss = await organiser(container, client)
    r = await boss.client.put(f"/api/v1/admin/shows/{presale_show.id}/presale", headers=boss.auth, json={
        "registration_opens_at": T0.isoformat(),
        "registration_closes_at": (SALE_OPENS + timedelta(minutes=5)).isoformat(),
        "general_sale_at": GENERAL.isoformat(),
    })  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"

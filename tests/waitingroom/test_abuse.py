"""Abuse: rate limits per account and per IP on queue and holds (429 with
Retry-After), and the per-account ticket limit across several sessions.
Login limits: tests/security/test_accounts.py."""

from __future__ import annotations

from pathlib import Path

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.support import PASSWORD, many_fans, sign_up
from tests.waitingroom.conftest import app_with


def _limited(r: httpx.Response) -> bool:
    return r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and int(
        r.headers["Retry-After"]
    ) >= 1


async def test_holds_are_limited_per_account_and_per_ip(
    tmp_path: Path, database_url: str, clock: FakeClock, show: Show
) -> None:
    section = show.sections[0].id
    async with app_with(tmp_path, database_url, clock, hold_rate="2/minute", ip_rate="4/minute") as (
        container, client,
    ):  # fmt: skip
        one, two, three = await many_fans(container, client, 3)
        assert [(await one.hold(show.id, section, quantity=1)).status_code for _ in range(2)] == [201, 201]
        assert _limited(await one.hold(show.id, section, quantity=1))
        # The two holds above counted for the shared IP too: 2 so far, 4 allowed.
        assert (await two.hold(show.id, section, quantity=1)).status_code == 201
        assert (await three.hold(show.id, section, quantity=1)).status_code == 201
        assert _limited(await three.hold(show.id, section, quantity=1))
        held = await container.inventory.availability(show.id)
        assert next(a for a in held if a.section_id == section).held == 4


async def test_the_ticket_limit_holds_across_sessions_of_one_account(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    first = await sign_up(client)
    r = await client.post("/api/v1/auth/login", json={"email": first.email, "password": PASSWORD})
    client.cookies.clear()
    second = type(first)(client, r.json()["token"], first.email)
    section = show.sections[0].id
    assert (await first.hold(show.id, section, quantity=3)).status_code == 201
    r = await second.hold(show.id, section, quantity=2)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "limit_exceeded")
    assert (await second.hold(show.id, section, quantity=1)).status_code == 201

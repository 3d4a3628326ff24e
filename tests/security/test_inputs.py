"""Bad numbers and rules: an out-of-range seat id is a 422 (never a 500 that
closes the connection), and the per-account ticket limit is a 409 rule, not
a 429 rate to retry. (Issue 17, findings 1 and 9.)"""

from __future__ import annotations

import re

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import SectionKind, Show
from tests.support import organiser, sign_up

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def _seated(show: Show) -> str:
    return next(s.id for s in show.sections if s.kind is SectionKind.SEATED)


@pytest.mark.parametrize("seat_id", [2**31, 2**63, 10**23, 0, -1])
async def test_out_of_range_seat_ids_are_bad_input(
    client: httpx.AsyncClient, show: Show, seat_id: int
) -> None:
    fan = await sign_up(client)
    r = await fan.hold(show.id, _seated(show), seat_ids=[seat_id])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = await fan.hold(show.id, _seated(show), key="with-a-key", seat_ids=[1, seat_id])  # the route, not the fast path
    assert r.status_code == 422
    assert (await fan.get("/api/v1/me")).status_code == 200  # the app still answers


async def test_the_seat_form_with_a_huge_seat_number_explains_itself(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    client.cookies.set("boxoffice_session", fan.token)
    section = _seated(show)
    token = CSRF.search((await client.get(f"/shows/{show.id}/sections/{section}")).text)
    assert token
    r = await client.post(f"/shows/{show.id}/sections/{section}/hold",
                          data={"csrf": token.group(1), "seat": "99999999999999999999999", "key": "k"})  # fmt: skip
    assert r.status_code == 303 and "error=invalid_request" in r.headers["location"]


async def test_the_ticket_limit_is_a_rule_not_a_rate(client: httpx.AsyncClient, show: Show) -> None:
    fan = await sign_up(client)
    ga = next(s.id for s in show.sections if s.kind is SectionKind.GA)
    assert (await fan.hold(show.id, ga, quantity=4)).status_code == 201
    for key in (None, "retry-1"):  # the fast path and the route answer alike
        r = await fan.hold(show.id, ga, key=key, quantity=1)
        assert r.status_code == 409 and "retry-after" not in r.headers
        assert r.json()["error"] | {"message": ""} == {
            "code": "limit_exceeded", "message": "", "limit": 4, "remaining": 0,
        }  # fmt: skip


async def test_renaming_a_section_to_a_taken_name_is_a_conflict(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    """Found by the fuzzer: the database's unique name answered a 500."""
    boss = await organiser(container, client)
    first, second = show.sections[0], show.sections[1]
    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/sections/{second.id}", json={"name": first.name})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/sections/{second.id}", json={"name": second.name})
    assert r.status_code == 200  # its own name is not a clash


async def test_null_for_an_after_sale_switch_is_bad_input(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    """Found by the fuzzer: null reached a NOT NULL column (500)."""
    boss = await organiser(container, client)
    rules = f"/api/v1/admin/shows/{show.id}/after-sale"
    r = await boss.patch(rules, json={"transfers_enabled": None, "max_transfers": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = await boss.patch(rules, json={"transfer_until": None, "max_transfers": 1})
    assert r.status_code == 200 and r.json()["max_transfers"] == 1  # a deadline may be cleared

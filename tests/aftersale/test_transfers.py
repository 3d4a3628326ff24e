"""Transfer: by email, within the organiser's rules; the receiver's limit
counts; new code, old one void; bad transfers write nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.aftersale.helpers import buy, key, snapshot, valid_per_seat_ok
from tests.support import organiser, sign_up


async def transfer(sender, code: str, email: str, k: str | None = None) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await sender.post(
        f"/api/v1/tickets/{code}/transfer", json={"email": email}, headers={"Idempotency-Key": k or key("t")}
    )


async def test_a_transfer_voids_the_old_code_and_issues_a_new_one(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    alice, bob, boss = await sign_up(client), await sign_up(client), await organiser(container, client)
    order = await buy(alice, show, quantity=2)
    old = order["tickets"][0]["code"]

    r = await transfer(alice, old, bob.email.upper(), "same")
    assert r.status_code == 201, r.text
    assert (await transfer(alice, old, bob.email, "same")).json()["transfer_id"] == r.json()["transfer_id"]
    mine = {t["code"]: t["status"] for t in (await alice.get("/api/v1/orders")).json()[0]["tickets"]}
    assert mine[old] == "void"
    assert (await alice.get(f"/api/v1/tickets/{old}")).json()["status"] == "void"
    # the old code is dead at the gate; the receiver's new code works
    r = await boss.post("/api/v1/admin/checkin", json={"code": old})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_not_valid"
    received = [n for n in (await bob.get("/api/v1/notifications")).json() if n["kind"] == "transfer_in"]
    new = received[0]["data"]["code"]
    assert new != old
    assert (await bob.get(f"/api/v1/tickets/{new}")).status_code == 200
    assert (await boss.post("/api/v1/admin/checkin", json={"code": new})).status_code == 200
    assert await valid_per_seat_ok(container)
    # the sender's limit is freed, the receiver's used
    assert (await alice.hold(show.id, show.sections[0].id, key(), quantity=3)).status_code == 201


async def test_transfer_rules_and_bad_transfers_write_nothing(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    alice, bob, carol = await sign_up(client), await sign_up(client), await sign_up(client)
    boss = await organiser(container, client)
    code = (await buy(alice, show, quantity=1))["tickets"][0]["code"]
    await buy(bob, show, quantity=4)  # bob is at the limit (4)
    before = await snapshot(container)
    for email, status, error in [
        (alice.email, 422, "invalid_request"),  # to yourself
        ("nobody-here@example.com", 404, "not_found"),  # a missing account
        (bob.email, 409, "limit_exceeded"),  # over the receiver's limit
    ]:
        r = await transfer(alice, code, email)
        assert (r.status_code, r.json()["error"]["code"]) == (status, error), r.text
    r = await transfer(carol, code, bob.email)  # not yours
    assert r.status_code == 404
    r = await alice.post(f"/api/v1/tickets/{code}/transfer", json={"email": carol.email})
    assert r.status_code == 422  # no Idempotency-Key
    await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale", json={"transfers_enabled": False})
    after_rules = await snapshot(container)
    r = await transfer(alice, code, carol.email)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_allowed")
    assert (await snapshot(container)) == after_rules
    assert {k: v for k, v in before.items() if k not in ("after_sale_rules", "audit_events")} == {
        k: v for k, v in after_rules.items() if k not in ("after_sale_rules", "audit_events")
    }

    # on again, until a date; and at most once per place
    until = clock.now() + timedelta(minutes=5)
    r = await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale",
                         json={"transfers_enabled": True, "transfer_until": until.isoformat(), "max_transfers": 1})
    assert r.status_code == 200, r.text
    assert (await transfer(alice, code, carol.email)).status_code == 201
    new = [n for n in (await carol.get("/api/v1/notifications")).json() if n["kind"] == "transfer_in"][0]["data"]["code"]
    r = await transfer(carol, new, alice.email)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_allowed")  # max_transfers reached
    await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale", json={"max_transfers": 3})
    clock.advance(minutes=10)
    r = await transfer(carol, new, alice.email)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_allowed")  # closed


async def test_a_used_ticket_cannot_be_transferred(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    alice, bob, boss = await sign_up(client), await sign_up(client), await organiser(container, client)
    code = (await buy(alice, show))["tickets"][0]["code"]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": code})).status_code == 200
    r = await transfer(alice, code, bob.email)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_used")

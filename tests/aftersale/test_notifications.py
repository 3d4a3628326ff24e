"""Notifications: written with the change, listed for the fan, marked read,
and emailed through the outbox (the mail catcher receives them)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.storage import tables
from tests.aftersale.helpers import buy, key
from tests.email.conftest import Inbox, catcher, inbox  # noqa: F401 - the mail catcher fixtures
from tests.support import organiser, sign_up


async def test_a_transfer_is_listed_and_emailed_to_both_fans(
    client: httpx.AsyncClient, container: Container, show: Show, inbox: Inbox  # noqa: F811
) -> None:
    alice, bob = await sign_up(client), await sign_up(client)
    code = (await buy(alice, show))["tickets"][0]["code"]
    r = await alice.post(f"/api/v1/tickets/{code}/transfer", json={"email": bob.email},
                         headers={"Idempotency-Key": key()})  # fmt: skip
    assert r.status_code == 201
    notes = (await bob.get("/api/v1/notifications")).json()
    assert [n["kind"] for n in notes] == ["transfer_in"] and notes[0]["read_at"] is None
    assert "sent you a ticket for Test Stadium Night" in notes[0]["text"]
    async with container.database.engine.connect() as conn:
        payloads = (await conn.execute(
            select(tables.outbox_messages.c.payload).where(tables.outbox_messages.c.kind == "email.notice")
        )).scalars().all()  # fmt: skip
    assert len(payloads) == 2 and any("enviou um ingresso" in p for p in payloads)  # en and pt-BR in each
    await inbox.deliver()
    mail = next(m for m in inbox.to(bob.email) if m.subject.startswith("News"))  # after the welcome mail
    assert mail.subject == "News about your tickets for Test Stadium Night"
    assert "sent you a ticket" in mail.text
    assert any("now belongs to" in m.text for m in inbox.to(alice.email))

    r = await bob.post(f"/api/v1/notifications/{notes[0]['id']}/read")
    assert r.status_code == 204
    assert (await bob.get("/api/v1/notifications")).json()[0]["read_at"] is not None
    r = await alice.post(f"/api/v1/notifications/{notes[0]['id']}/read")  # not hers
    assert r.status_code == 404


async def test_a_failed_change_tells_nobody(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    alice, boss = await sign_up(client), await organiser(container, client)
    order = await buy(alice, show)
    r = await alice.post(f"/api/v1/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 409  # fan refunds are off
    assert (await alice.get("/api/v1/notifications")).json() == []
    r = await boss.post(f"/api/v1/admin/orders/{order['order_id']}/refund", headers={"Idempotency-Key": key()})
    assert r.status_code == 201
    assert [n["kind"] for n in (await alice.get("/api/v1/notifications")).json()] == ["refund"]

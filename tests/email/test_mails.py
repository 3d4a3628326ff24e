"""The fan's mails through real SMTP (a catcher on a free port), on SQLite and
PostgreSQL: welcome, "someone tried to register", the order confirmation with
its PDF tickets and .ics, in English and Brazilian Portuguese."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import httpx
from pypdf import PdfReader

from boxoffice import outbox
from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from tests.email.conftest import Inbox
from tests.support import PASSWORD, T0, show_spec, sign_up, unique_email


async def test_registration_welcomes_in_the_fans_language(client: httpx.AsyncClient, inbox: Inbox) -> None:
    english, portuguese = unique_email(), unique_email()
    await sign_up(client, english)
    r = await client.post(
        "/api/v1/auth/register", json={"email": portuguese, "password": PASSWORD, "name": "Ana"},
        headers={"Accept-Language": "pt-BR,pt;q=0.9"},
    )  # fmt: skip
    assert r.status_code == 202
    assert await inbox.deliver() == 2
    assert inbox.one(english).subject == "Welcome to boxoffice"
    welcome = inbox.one(portuguese)
    assert welcome.subject == "Boas-vindas ao boxoffice"
    assert "Olá, Ana" in welcome.text and welcome.message["Content-Language"] == "pt-BR"


async def test_registering_a_taken_email_tells_its_owner_once_an_hour(
    client: httpx.AsyncClient, inbox: Inbox, container: Container
) -> None:
    email = unique_email()
    await sign_up(client, email)
    for _ in range(3):
        r = await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Eve"}
        )
        assert r.status_code == 202  # the same answer as for a new email
    await inbox.deliver()
    subjects = sorted(m.subject for m in inbox.to(email))
    assert subjects == ["Someone tried to register with your email", "Welcome to boxoffice"]
    container.clock.advance(hours=1)  # type: ignore[attr-defined]
    await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Eve"})
    await inbox.deliver()
    assert len(inbox.to(email)) == 3


async def test_a_paid_order_mails_its_tickets_as_pdf_and_ics(
    client: httpx.AsyncClient, inbox: Inbox, show: Show
) -> None:
    fan = await sign_up(client)
    seated = show.sections[1]
    seats = (await fan.get(f"/api/v1/shows/{show.id}/sections/{seated.id}/seats")).json()
    seat_ids = [s["id"] for s in (seats["seats"] if isinstance(seats, dict) else seats)][:2]
    hold = await fan.hold(show.id, seated.id, key="h1", seat_ids=seat_ids)
    assert hold.status_code == 201, hold.text
    order = (await fan.pay(hold.json()["hold_id"], "o1")).json()
    await inbox.deliver()
    mail = next(m for m in inbox.to(fan.email) if "tickets" in m.subject)
    assert order["order_id"] in mail.subject and show.name in mail.subject
    names = {name: (kind, content) for name, kind, content in mail.attachments()}
    pdf = names[f"tickets-{order['order_id']}.pdf"]
    assert pdf[0] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf[1])).pages
    assert len(pages) == 2
    text = pages[0].extract_text()
    for expected in (show.name, show.venue, "Cadeira", "A-1", order["order_id"], "Fan", order["tickets"][0]["code"]):
        assert expected in text, expected
    assert "January 31, 2030" in text and "12:00 PM (UTC)" in text
    ics = names[f"{show.id}.ics"][1].decode()
    assert "BEGIN:VEVENT" in ics and f"DTSTART:{(T0 + timedelta(days=30)):%Y%m%dT%H%M%SZ}" in ics
    assert f"UID:{order['order_id']}@boxoffice" in ics
    for ticket in order["tickets"]:
        assert ticket["code"] in mail.text


async def test_the_confirmation_speaks_portuguese_to_a_portuguese_fan(
    client: httpx.AsyncClient, inbox: Inbox, container: Container
) -> None:
    show = await container.inventory.create_show(replace(show_spec(), timezone="America/Sao_Paulo"))
    fan = await sign_up(client)
    r = await fan.client.put("/api/v1/me/language", json={"language": "pt-BR"}, headers=fan.auth)
    assert r.status_code == 200 and r.json()["language"] == "pt-BR"
    hold = await fan.hold(show.id, show.sections[0].id, key="h1", quantity=1)
    await fan.pay(hold.json()["hold_id"], "o1")
    await inbox.deliver()
    mail = next(m for m in inbox.to(fan.email) if "ingressos" in m.subject)
    assert mail.subject.startswith("Seus ingressos para")
    assert "pista / sem lugar marcado" in mail.text
    assert "quinta-feira, 31 de janeiro de 2030, 09:00 (America/Sao_Paulo)" in mail.text  # 12:00 UTC
    pdf = next(c for n, k, c in mail.attachments() if k == "application/pdf")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Titular" in text and "09:00" in text


async def test_a_notice_from_another_package(inbox: Inbox, container: Container) -> None:
    async with container.outbox._uow(write=True) as uow:  # noqa: SLF001 - the change's transaction
        await outbox.enqueue(
            uow, kind=outbox.EMAIL_NOTICE, recipient="someone@example.com", dedupe_key="n1",
            payload={"subject": {"en": "Resale sold", "pt-BR": "Revenda vendida"}, "text": "Done."},
            now=container.clock.now(),
        )  # fmt: skip
        await uow.commit()
    await inbox.deliver()
    assert inbox.one("someone@example.com").subject == "Resale sold"

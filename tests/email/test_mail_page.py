"""The embedded default: with no BOXOFFICE_SMTP_URL, mail goes over SMTP to a
catcher the app starts on a free port, and /mail shows it (never in production)."""

from __future__ import annotations

import httpx

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from tests.support import sign_up


async def test_the_mail_page_shows_what_the_embedded_catcher_kept(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    assert container.settings.smtp_url is None
    fan = await sign_up(client)
    hold = await fan.hold(show.id, show.sections[0].id, key="h1", quantity=2)
    await fan.pay(hold.json()["hold_id"], "o1")
    assert await container.outbox.drain() == 3  # welcome, confirmation, order.paid (no endpoint)
    assert container.mailer.catcher is not None and container.mailer.catcher.running

    inbox = await client.get("/mail")
    assert inbox.status_code == 200
    assert "Welcome to boxoffice" in inbox.text and f"Your tickets for {show.name}" in inbox.text
    link = next(part.split('"')[0] for part in inbox.text.split('href="/mail/')[1:] if "tickets" in part.split("</a>")[0])
    one = await client.get(f"/mail/{link}")
    assert one.status_code == 200 and fan.email in one.text and "tickets-" in one.text
    pdf = await client.get(f"/mail/{link}/0")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert (await client.get(f"/mail/{link}/9")).status_code == 404
    assert (await client.get("/mail/../../secret_key")).status_code == 404

    container.settings.env = "production"
    assert (await client.get("/mail")).status_code == 404

"""The organiser's pages over HTTP: form problems said plainly next to their
fields, sections edited (never below what is sold or held), and the live
view's waiting-room figures."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import Show
from boxoffice.waitingroom.service import RoomSettings
from tests.shop.pages import log_in, token
from tests.support import PASSWORD, T0, unique_email


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_show_form_problems_are_plain_and_next_to_their_fields(client: httpx.AsyncClient, container: Container) -> None:
    await log_in(client, container, organiser=True)
    r = await client.post("/admin/shows/new", data={
        "csrf": await token(client, "/admin/shows/new"), "name": "Broken", "venue": "Nowhere", "currency": "BRL",
        "timezone": "America/Sao_Paulo", "per_account_limit": "four", "starts_at": "2030-02-01T20:00",
        "sale_opens_at": "2030-01-10T10:00", "sale_closes_at": "tomorrow",
        "section-0-name": "Pista", "section-0-kind": "ga", "section-0-price": "lots", "section-0-capacity": "100",
    })  # fmt: skip
    assert r.status_code == 422
    assert "Enter a number of tickets from 1 to 100." in r.text and 'id="per_account_limit-error"' in r.text
    assert "Enter a price of 0 or more, such as 150.00." in r.text and 'id="section-0-price-error"' in r.text
    r = await client.post("/admin/shows/new", data={
        "csrf": await token(client, "/admin/shows/new"), "name": "Broken", "venue": "Nowhere", "currency": "BRL",
        "timezone": "America/Sao_Paulo", "per_account_limit": "4", "starts_at": "2030-02-01T20:00",
        "sale_opens_at": "2030-01-10T10:00", "sale_closes_at": "tomorrow",
    })  # fmt: skip
    assert "Enter the date and time the sale closes." in r.text and 'id="sale_closes_at-error"' in r.text
    assert "Input should be" not in r.text and "sale_closes_at:" not in r.text  # no validator text
    assert 'value="Broken"' in r.text  # what was typed stays


async def test_sections_are_edited_never_below_sold_or_held(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    fan = await container.accounts.register(unique_email(), PASSWORD, "Fan")
    ga, seated = show.sections
    await container.holds.create(fan, HoldRequest(show.id, ga.id, quantity=3))
    await log_in(client, container, organiser=True)
    page = await client.get(f"/admin/shows/{show.id}/sections")
    assert page.status_code == 200 and "Held 3" in page.text
    csrf = await token(client, f"/admin/shows/{show.id}/sections")

    low = await client.post(f"/admin/shows/{show.id}/sections/{ga.id}",
                            data={"csrf": csrf, "name": "Pista", "price": "200.00", "capacity": "2"})  # fmt: skip
    assert low.status_code == 422
    assert "0 sold, 3 held, so at least 3." in low.text and 'aria-invalid="true"' in low.text
    assert (await container.inventory.show(show.id)).section(ga.id).capacity == 100

    ok = await client.post(f"/admin/shows/{show.id}/sections/{ga.id}",
                           data={"csrf": csrf, "name": "Pista VIP", "price": "250,50", "capacity": "3"})  # fmt: skip
    assert ok.status_code == 303
    changed = (await container.inventory.show(show.id)).section(ga.id)
    assert (changed.name, changed.price_cents, changed.capacity) == ("Pista VIP", 25050, 3)

    seat_price = await client.post(f"/admin/shows/{show.id}/sections/{seated.id}",
                                   data={"csrf": csrf, "name": seated.name, "price": "99"})  # fmt: skip
    assert seat_price.status_code == 303
    assert (await container.inventory.show(show.id)).section(seated.id).price_cents == 9900

    added = await client.post(f"/admin/shows/{show.id}/sections",
                              data={"csrf": csrf, "name": "Camarote", "kind": "ga", "price": "900", "capacity": "20"})  # fmt: skip
    assert added.status_code == 303
    assert [s.name for s in (await container.inventory.show(show.id)).sections][-1] == "Camarote"


async def test_the_live_view_shows_the_waiting_room(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    await container.waiting_room.configure(
        show.id, RoomSettings(enabled=True, opens_at=T0 - timedelta(hours=2), admit_per_minute=2)
    )
    found = await container.inventory.show(show.id)
    for _ in range(5):
        await container.waiting_room.join(await container.accounts.register(unique_email(), PASSWORD, "F"), found)
    await container.waiting_room.admit(show.id)
    await log_in(client, container, organiser=True)
    page = await client.get(f"/admin/shows/{show.id}?fragment=true")
    assert 'id="line"' in page.text
    assert '<dd data-field="waiting">' in page.text and '<dd data-field="rate">2<' in page.text
    waiting = int(page.text.split('<dd data-field="waiting">')[1].split("<")[0])
    admitted = int(page.text.split('<dd data-field="admitted">')[1].split("<")[0])
    assert waiting + admitted == 5 and admitted >= 1
    assert f"in {-(-waiting // 2)} min" in page.text


async def test_an_uploaded_poster_becomes_the_shows_hero(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    await log_in(client, container, organiser=True)
    csrf = await token(client, f"/admin/shows/{show.id}/edit")
    fake = await client.post(f"/admin/shows/{show.id}/poster", data={"csrf": csrf},
                             files={"poster": ("evil.png", b"<svg onload=alert(1)>", "image/png")})  # fmt: skip
    assert fake.status_code == 422 and "Use a PNG, JPEG or WebP image." in fake.text
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = await client.post(f"/admin/shows/{show.id}/poster", data={"csrf": csrf},
                          files={"poster": ("poster.png", png, "image/png")})  # fmt: skip
    assert r.status_code == 303
    version = (await container.inventory.show(show.id)).poster_version
    assert version
    page = await client.get(f"/shows/{show.id}")
    assert f'src="/shows/{show.id}/poster?v={version}"' in page.text
    image = await client.get(f"/shows/{show.id}/poster?v={version}")
    assert image.content == png and image.headers["content-type"] == "image/png"
    assert "immutable" in image.headers["cache-control"]


async def test_after_sale_dates_are_entered_in_venue_time(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    await container.inventory.update_show(show.id, {"timezone": "America/Sao_Paulo"})
    await log_in(client, container, organiser=True)
    path = f"/admin/shows/{show.id}/after-sale"
    r = await client.post(path, data={"csrf": await token(client, path), "transfers_enabled": "1",
                                      "transfer_until": "2030-01-20T21:00", "max_transfers": "1",
                                      "resale_cap_percent": "100", "offer_minutes": "15"})  # fmt: skip
    assert r.status_code == 303, r.text
    until = (await container.rules.get(show.id)).transfer_until
    assert until is not None and until.isoformat().startswith("2030-01-21T00:00")  # 21:00 in São Paulo
    assert 'value="2030-01-20T21:00"' in (await client.get(path)).text

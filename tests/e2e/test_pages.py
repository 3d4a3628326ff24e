"""Pages over HTTP (no browser): CSRF on every form post, cookie flags, no
open redirects, error pages in the fan's language, organiser-only pages."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import holds, orders
from tests.support import PASSWORD, unique_email

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def _token(client: httpx.AsyncClient, path: str = "/login") -> str:
    r = await client.get(path)
    assert r.status_code == 200
    found = CSRF.search(r.text)
    assert found, "the form carries a CSRF token"
    return found.group(1)


@pytest.fixture
def backend() -> str:
    return "sqlite"  # pages add no SQL of their own: one backend is enough


async def test_form_posts_need_the_csrf_token(client: httpx.AsyncClient, container: Container) -> None:
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    form = {"email": email, "password": PASSWORD, "next": "/"}
    r = await client.post("/login", data=form)  # no cookie, no token
    assert r.status_code == 403 and "This form expired" in r.text
    await _token(client)
    r = await client.post("/login", data={**form, "csrf": "0" * 40})  # the wrong token
    assert r.status_code == 403
    assert "boxoffice_session" not in client.cookies
    r = await client.post("/login", data={**form, "csrf": await _token(client)})
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_the_form_cookie_is_strict_and_httponly(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("boxoffice_form=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert r.headers["x-frame-options"] == "DENY"


async def test_login_never_redirects_off_site(client: httpx.AsyncClient, container: Container) -> None:
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    for target, expected in (("https://evil.example/", "/"), ("//evil.example", "/"), ("/my/tickets", "/my/tickets")):
        r = await client.post("/login", data={"email": email, "password": PASSWORD, "next": target,
                                              "csrf": await _token(client)})  # fmt: skip
        assert r.headers["location"] == expected


async def test_wrong_password_and_unknown_email_read_the_same(client: httpx.AsyncClient, container: Container) -> None:
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    answers = []
    for who in (email, unique_email()):
        r = await client.post("/login", data={"email": who, "password": "wrong password!", "csrf": await _token(client)})
        assert r.status_code == 401
        answers.append(re.sub(r'value="[^"]*"', "", r.text))
    assert answers[0] == answers[1]


async def test_pages_that_need_a_login_send_you_to_it(client: httpx.AsyncClient, show: Show) -> None:
    r = await client.get(f"/shows/{show.id}/sections/{show.sections[0].id}")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/shows/{show.id}/sections/{show.sections[0].id}"
    assert (await client.get("/my/tickets")).headers["location"].startswith("/login")


async def test_an_unknown_show_is_a_page_in_the_fans_language(client: httpx.AsyncClient) -> None:
    r = await client.get("/shows/" + "0" * 32, headers={"Accept-Language": "pt-BR", "Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Não encontrado." in r.text
    api = await client.get("/api/v1/shows/" + "0" * 32)
    assert api.json()["error"]["code"] == "not_found"  # the API still answers JSON


async def test_a_fan_gets_no_organiser_page(client: httpx.AsyncClient, container: Container) -> None:
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf": await _token(client)})
    client.cookies.set("boxoffice_session", r.cookies["boxoffice_session"])
    for path in ("/admin", "/admin/shows/new", "/admin/checkin"):
        page = await client.get(path)
        assert page.status_code == 403 and "Only organisers can do this." in page.text
    token = CSRF.search((await client.get("/")).text)  # the logout form's token
    assert token is not None
    r = await client.post("/admin/checkin", data={"code": "X", "csrf": token.group(1)})
    assert r.status_code == 403


async def _organiser_client(client: httpx.AsyncClient, container: Container) -> str:
    email = unique_email("organiser")
    await container.accounts.create_admin(email, PASSWORD)
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf": await _token(client)})
    client.cookies.set("boxoffice_session", r.cookies["boxoffice_session"])
    return await _token(client, "/admin/shows/new")


async def test_organiser_edits_a_show_and_its_waiting_room(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    token = await _organiser_client(client, container)
    page = await client.get(f"/admin/shows/{show.id}/edit")
    assert page.status_code == 200 and f'value="{show.name}"' in page.text
    form = {
        "csrf": token, "name": "Renamed Night", "venue": show.venue, "currency": "BRL",
        "starts_at": "2030-02-01T20:00", "sale_opens_at": "2029-12-31T10:00", "sale_closes_at": "2030-01-30T10:00",
        "per_account_limit": "6", "room-enabled": "1", "room-opens_at": "2029-12-31T09:00",
        "room-admit_per_minute": "120", "room-max_active": "",
    }  # fmt: skip
    r = await client.post(f"/admin/shows/{show.id}/edit", data=form)
    assert r.status_code == 303, r.text
    changed = await container.inventory.show(show.id)
    assert (changed.name, changed.per_account_limit) == ("Renamed Night", 6)
    room = await container.waiting_room.room(show.id)
    assert room is not None and room.enabled and room.admit_per_minute == 120

    bad = await client.post(f"/admin/shows/{show.id}/edit", data={**form, "sale_closes_at": "2029-01-01T10:00"})
    assert bad.status_code == 422 and 'id="form-problems"' in bad.text
    assert (await container.inventory.show(show.id)).sale_closes_at == changed.sale_closes_at  # nothing changed


async def test_a_show_form_with_mistakes_creates_nothing(client: httpx.AsyncClient, container: Container) -> None:
    token = await _organiser_client(client, container)
    before = len(await container.inventory.list_shows())
    r = await client.post("/admin/shows/new", data={
        "csrf": token, "name": "Broken", "venue": "Nowhere", "currency": "BRL", "per_account_limit": "4",
        "starts_at": "2030-02-01T20:00", "sale_opens_at": "2030-01-10T10:00", "sale_closes_at": "2030-01-30T10:00",
        "section-0-name": "Pista", "section-0-kind": "ga", "section-0-price": "-5", "section-0-capacity": "100",
    })  # fmt: skip
    assert r.status_code == 422 and 'id="form-problems"' in r.text
    assert len(await container.inventory.list_shows()) == before


async def _fan_client(client: httpx.AsyncClient, container: Container) -> tuple[str, str]:
    """Log a new fan in through the form; their CSRF token and session token."""
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf": await _token(client)})
    session = r.cookies["boxoffice_session"]
    client.cookies.set("boxoffice_session", session)
    return await _token(client, "/"), session


async def test_bad_page_forms_explain_and_write_nothing(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    async def count(table) -> int:  # type: ignore[no-untyped-def]
        async with container.database.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)) or 0)

    ga, seated = show.sections
    token, session = await _fan_client(client, container)
    for path, form in (
        (f"/shows/{show.id}/sections/{ga.id}/hold", {"quantity": "lots"}),
        (f"/shows/{show.id}/sections/{ga.id}/hold", {"quantity": "-2"}),
        (f"/shows/{show.id}/sections/{ga.id}/hold", {"quantity": "500"}),
        (f"/shows/{show.id}/sections/{seated.id}/hold", {"seat": ["1", "seat-two"]}),
        (f"/shows/{show.id}/sections/{'0' * 32}/hold", {"quantity": "1"}),
    ):
        r = await client.post(path, data={**form, "csrf": token})
        assert r.status_code == 303 and "?error=" in r.headers["location"], (form, r.text)
        page = await client.get(r.headers["location"]) if "0" * 32 not in path else None
        assert page is None or 'id="hold-error"' in page.text
    assert await count(holds) == 0

    # Another fan's hold: not theirs to see, pay or release.
    other = await container.accounts.register(unique_email(), PASSWORD, "Other")
    theirs = await container.holds.create(other, HoldRequest(show.id, ga.id, quantity=1))

    assert (await client.get(f"/checkout/{theirs.id}")).status_code == 404
    r = await client.post(f"/checkout/{theirs.id}/pay", data={"outcome": "approve", "key": "k", "csrf": token})
    assert r.status_code == 303 and r.headers["location"].endswith("?error=not_found")
    assert (await client.post(f"/checkout/{theirs.id}/release", data={"csrf": token})).status_code == 404
    # A payment outcome that does not exist.
    mine = await container.holds.create(
        await container.accounts.authenticate(session),
        HoldRequest(show.id, ga.id, quantity=1),
    )
    r = await client.post(f"/checkout/{mine.id}/pay", data={"outcome": "steal", "key": "k2", "csrf": token})
    assert r.headers["location"].endswith("?error=invalid_request")
    assert await count(orders) == 0 and await count(holds) == 2


async def test_the_show_page_holds_the_best_seats_together(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    _, seated = show.sections
    await _fan_client(client, container)
    page = await client.get(f"/shows/{show.id}")
    form = re.search(rf'<form method="post" action="(/shows/{show.id}/sections/{seated.id}/hold)" class="best-seats">'
                     r'.*?name="csrf" value="([0-9a-f]+)".*?name="key" value="([^"]+)"', page.text, re.S)  # fmt: skip
    assert form, "a seated section offers its best seats on the show page"
    r = await client.post(form.group(1), data={"csrf": form.group(2), "key": form.group(3), "quantity": "2"})
    assert r.status_code == 303 and r.headers["location"].startswith("/checkout/")
    checkout = await client.get(r.headers["location"])
    assert "A-5" in checkout.text and "A-6" in checkout.text  # front row, centre (10 seats a row)

"""The presale and voucher pages over HTTP (no browser): the organiser sets up
a presale, draws and creates vouchers with forms; a fan registers, sees the
code and enters it; refusals are readable; pt-BR too."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from tests.support import PASSWORD, T0, show_spec, unique_email

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the pages add no SQL of their own


async def log_in(client: httpx.AsyncClient, container: Container, organiser: bool = False) -> None:
    email = unique_email()
    if organiser:
        await container.accounts.create_admin(email, PASSWORD)
    else:
        await container.accounts.register(email, PASSWORD, "Fan")
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "next": "/",
                                          "csrf": await token(client, "/login")})  # fmt: skip
    assert r.status_code == 303


async def token(client: httpx.AsyncClient, path: str) -> str:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    found = CSRF.search(r.text)
    assert found
    return found.group(1)


async def post(client: httpx.AsyncClient, path: str, form_page: str, **data: str) -> httpx.Response:
    r = await client.post(path, data={**data, "csrf": await token(client, form_page)})
    assert r.status_code == 303, r.text
    return await client.get(r.headers["location"])


async def test_presale_and_vouchers_through_the_pages(container: Container, clock: FakeClock) -> None:
    from boxoffice.web.app import create_app

    show = await container.inventory.create_show(show_spec(opens=T0 + timedelta(hours=2)))
    app = create_app(container, sweep_every=None)
    boss = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    fan = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    async with boss, fan:
        await log_in(boss, container, organiser=True)
        admin = f"/admin/shows/{show.id}/presale"
        page = await post(boss, admin, admin, registration_opens_at="2030-01-01T12:00",
                          registration_closes_at="2030-01-01T13:00", general_sale_at="2030-01-01T15:00")  # fmt: skip
        assert 'id="admin-done"' in page.text and 'id="draw-form"' in page.text
        bad = await post(boss, f"/admin/shows/{show.id}/vouchers", admin, kind="discount",
                         discount="abc", count="2", max_uses="1", expires_at="2030-02-01T00:00")  # fmt: skip
        assert 'id="admin-error"' in bad.text
        page = await post(boss, f"/admin/shows/{show.id}/vouchers", admin, kind="discount", discount="10%",
                          count="3", max_uses="2", expires_at="2030-02-01T00:00", label="club")  # fmt: skip
        assert page.text.count("<code>") >= 3 and "0 / 2" in page.text

        await log_in(fan, container)
        public = f"/shows/{show.id}/presale"
        assert "presale-link" in (await fan.get(f"/shows/{show.id}")).text
        page = await post(fan, f"{public}/register", public)
        assert 'id="presale-done"' in page.text and 'id="presale-status"' in page.text

        clock.set(T0 + timedelta(hours=1, minutes=5))
        page = await post(boss, f"{admin}/draw", admin, codes="5")
        assert "The codes are drawn" in page.text
        page = await fan.get(public)
        code = re.search(r"<code>([A-Z2-9-]{23})</code>", page.text)
        assert code, page.text

        clock.set(T0 + timedelta(hours=2, minutes=1))
        wrong = await post(fan, f"{public}/code", public, code="AAAAA-BBBBB-CCCCC-DDDDD")
        assert "That is not a presale code of this show." in wrong.text
        page = await post(fan, f"{public}/code", public, code=code.group(1))
        assert "Your code worked" in page.text

        fan.cookies.set("lang", "pt-BR")
        assert "Pré-venda" in (await fan.get(public)).text

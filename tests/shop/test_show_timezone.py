"""A show has the venue's time zone: times are shown in it (named), organisers
enter local times in it, and shows made before it existed read as UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.errors import InvalidRequest
from boxoffice.inventory.domain import Show
from boxoffice.inventory.schemas import ShowIn
from boxoffice.pages.i18n import Language, load_catalogs
from tests.support import PASSWORD, unique_email

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
SHOW_AT = datetime(2030, 2, 2, 0, 30, tzinfo=UTC)  # 21:30 the evening before in Sao Paulo


def test_times_read_in_the_venues_zone_and_name_it() -> None:
    catalogs = load_catalogs()
    en, pt = Language("en", catalogs["en"]), Language("pt-BR", catalogs["pt-BR"])
    assert en.when(SHOW_AT, "America/Sao_Paulo") == "Fri, 1 Feb 2030, 9:30\u202fPM (Sao Paulo time)"
    assert pt.when(SHOW_AT, "America/Sao_Paulo").endswith("21:30 (horário de São Paulo)")
    assert en.when(SHOW_AT) .endswith("12:30\u202fAM (UTC)")
    markup = str(en.at(SHOW_AT, "America/Sao_Paulo"))
    assert 'datetime="2030-02-02T00:30:00+00:00" data-zone="America/Sao_Paulo"' in markup


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the column is plain SQL; test_schema checks both backends


async def test_a_show_keeps_its_zone_and_old_shows_are_utc(container: Container, show: Show) -> None:
    assert show.timezone == "UTC"
    spec = ShowIn.model_validate({
        "name": "Noite Paulista", "venue": "Morumbi", "timezone": "America/Sao_Paulo",
        "starts_at": SHOW_AT.isoformat(), "sale_opens_at": "2029-12-01T12:00:00Z",
        "sale_closes_at": "2030-02-01T12:00:00Z",
    }).spec()  # fmt: skip
    created = await container.inventory.create_show(spec)
    assert (await container.inventory.show(created.id)).timezone == "America/Sao_Paulo"
    assert (await container.inventory.export_show(created.id)).timezone == "America/Sao_Paulo"
    with pytest.raises(InvalidRequest):
        await container.inventory.update_show(created.id, {"timezone": "Mars/Olympus_Mons"})
    await container.inventory.update_show(created.id, {"timezone": "Europe/Lisbon"})
    assert (await container.inventory.show(created.id)).timezone == "Europe/Lisbon"


async def _organiser(client: httpx.AsyncClient, container: Container) -> str:
    email = unique_email("organiser")
    await container.accounts.create_admin(email, PASSWORD)
    login = CSRF.search((await client.get("/login")).text)
    assert login
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf": login.group(1)})
    client.cookies.set("boxoffice_session", r.cookies["boxoffice_session"])
    found = CSRF.search((await client.get("/admin/shows/new")).text)
    assert found
    return found.group(1)


async def test_organisers_enter_local_times_and_fans_read_them(client: httpx.AsyncClient, container: Container) -> None:
    token = await _organiser(client, container)
    r = await client.post("/admin/shows/new", data={
        "csrf": token, "name": "Noite Local", "venue": "Allianz Parque", "currency": "BRL",
        "timezone": "America/Sao_Paulo", "per_account_limit": "4", "starts_at": "2030-02-01T21:30",
        "sale_opens_at": "2029-12-01T10:00", "sale_closes_at": "2030-02-01T12:00",
        "section-0-name": "Pista", "section-0-kind": "ga", "section-0-price": "100", "section-0-capacity": "10",
    })  # fmt: skip
    assert r.status_code == 303, r.text
    show_id = r.headers["location"].rsplit("/", 1)[-1]
    created = await container.inventory.show(show_id)
    assert created.starts_at == SHOW_AT and created.timezone == "America/Sao_Paulo"
    assert created.sale_opens_at == datetime(2029, 12, 1, 13, 0, tzinfo=UTC)

    edit = await client.get(f"/admin/shows/{show_id}/edit")
    assert 'value="2030-02-01T21:30"' in edit.text  # the form shows what was entered
    public = await client.get(f"/shows/{show_id}")
    assert "9:30\u202fPM (Sao Paulo time)" in public.text and 'data-zone="America/Sao_Paulo"' in public.text
    api = (await client.get(f"/api/v1/shows/{show_id}")).json()
    assert api["timezone"] == "America/Sao_Paulo"

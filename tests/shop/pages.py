"""Driving the pages over HTTP (no browser): log in through the form, read form tokens."""

from __future__ import annotations

import re

import httpx

from boxoffice.accounts.domain import Account
from boxoffice.bootstrap import Container
from tests.support import PASSWORD, unique_email

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def token(client: httpx.AsyncClient, path: str = "/login") -> str:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    found = CSRF.search(r.text)
    assert found, "the form carries a CSRF token"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, container: Container, organiser: bool = False) -> Account:
    email = unique_email("organiser" if organiser else "fan")
    if organiser:
        account = await container.accounts.create_admin(email, PASSWORD)
    else:
        account = await container.accounts.register(email, PASSWORD, "Fã Teste")
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf": await token(client)})
    client.cookies.set("boxoffice_session", r.cookies["boxoffice_session"])
    return account

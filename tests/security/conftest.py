"""Fixtures for the security tests: an app with its own settings, and
clients that come from a chosen IP address."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.web.app import create_app
from tests.support import make_container, settings_for

ClientFrom = Callable[[str], httpx.AsyncClient]


@contextlib.asynccontextmanager
async def app_with(
    tmp_path: Path, database_url: str, clock: FakeClock, **settings: Any
) -> AsyncIterator[tuple[Container, FastAPI, ClientFrom]]:
    """A second app on the same database with other settings, and `client_from(ip)`.
    Ask for the `container` fixture too: it prepares the database."""
    container = make_container(settings_for(tmp_path, database_url, **settings), clock)
    app = create_app(container, sweep_every=None)
    clients: list[httpx.AsyncClient] = []

    def client_from(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return clients[-1]

    try:
        yield container, app, client_from
    finally:
        for c in clients:
            await c.aclose()
        await container.close()

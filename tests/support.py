"""Shared test helpers: settings, backends, a show, and an HTTP client that logs in.

Backends: every storage test runs on SQLite and on PostgreSQL. PostgreSQL is
found at BOXOFFICE_TEST_POSTGRES_URL (default: the local server's
boxoffice_test database). Outside CI a missing PostgreSQL skips those tests
with a message; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from boxoffice.accounts.passwords import Passwords, fast_hasher
from boxoffice.bootstrap import Container, build_container
from boxoffice.cache.base import Cache
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import RowSpec, SectionKind, SectionSpec, ShowSpec
from boxoffice.orders.payments import FakeGateway
from boxoffice.settings import Settings

# Each test run gets its own database (dropped at the end), so runs in
# parallel (two checkouts, a developer and CI) never truncate each other's data.
POSTGRES_URL = os.environ.get(
    "BOXOFFICE_TEST_POSTGRES_URL",
    f"postgresql+asyncpg://postgres@127.0.0.1:5432/boxoffice_test_{os.getpid()}",
)
OWN_POSTGRES_DATABASE = "BOXOFFICE_TEST_POSTGRES_URL" not in os.environ
# The PostgreSQL tests' second pass in CI runs through PgBouncer (transaction
# mode): BOXOFFICE_TEST_POSTGRES_URL names it and this is set (the apps the
# tests start read the same variable through their settings).
PGBOUNCER = os.environ.get("BOXOFFICE_DATABASE_PGBOUNCER", "").lower() in {"1", "true", "yes"}
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_emails = itertools.count()


def settings_for(data_dir: Path, database_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "login_rate": "10000/minute",
        "login_ip_rate": "10000/minute",
        "session_idle_minutes": 24 * 60,  # tests move the fake clock by hours
        "register_rate": "10000/minute",
        "hold_rate": "10000/minute",
        "cookie_secure": False,
        "lock_timeout_ms": 20000,
        "db_pool_size": 20,
    }
    values.update(overrides)
    return Settings(**values)


def make_container(
    settings: Settings,
    clock: FakeClock | None = None,
    gateway: FakeGateway | None = None,
    cache: Cache | None = None,
) -> Container:
    return build_container(
        settings,
        cache=cache,
        clock=clock or FakeClock(T0),
        gateway=gateway or FakeGateway(),
        passwords=Passwords(fast_hasher()),
    )


def show_spec(
    *,
    ga_capacity: int = 100,
    seat_rows: int = 2,
    seats_per_row: int = 10,
    limit: int = 4,
    opens: datetime = T0 - timedelta(hours=1),
) -> ShowSpec:
    return ShowSpec(
        name="Test Stadium Night",
        venue="Test Arena",
        starts_at=T0 + timedelta(days=30),
        sale_opens_at=opens,
        sale_closes_at=T0 + timedelta(days=29),
        per_account_limit=limit,
        currency="BRL",
        sections=(
            SectionSpec("Pista", SectionKind.GA, 20_000, capacity=ga_capacity),
            SectionSpec(
                "Cadeira",
                SectionKind.SEATED,
                50_000,
                rows=tuple(RowSpec(chr(65 + r), seats_per_row) for r in range(seat_rows)),
            ),
        ),
    )


def unique_email(prefix: str = "fan") -> str:
    return f"{prefix}{next(_emails)}-{os.getpid()}@example.com"


@dataclass
class Fan:
    """An HTTP client logged in as one account."""

    client: httpx.AsyncClient
    token: str
    email: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.patch(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.delete(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)

    async def hold(self, show_id: str, section_id: str, key: str | None = None, **body: Any) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return await self.post(
            "/api/v1/holds", json={"show_id": show_id, "section_id": section_id, **body}, headers=headers
        )

    async def pay(self, hold_id: str, key: str, outcome: str = "approve") -> httpx.Response:
        return await self.post(
            "/api/v1/orders",
            json={"hold_id": hold_id, "payment": {"method": "fake", "outcome": outcome}},
            headers={"Idempotency-Key": key},
        )


async def sign_up(client: httpx.AsyncClient, email: str | None = None) -> Fan:
    email = email or unique_email()
    r = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Fan"}
    )
    assert r.status_code == 202, r.text
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return Fan(client, r.json()["token"], email)


async def many_fans(container: Container, client: httpx.AsyncClient, n: int) -> list[Fan]:
    """n accounts logged in through the service (quicker than n HTTP sign-ups)."""
    fans = []
    for _ in range(n):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        _, token = await container.accounts.login(email, PASSWORD)
        fans.append(Fan(client, token, email))
    return fans


async def organiser(container: Container, client: httpx.AsyncClient) -> Fan:
    email = unique_email("organiser")
    await container.accounts.create_admin(email, PASSWORD)
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return Fan(client, r.json()["token"], email)


class QueryCounter:
    """Counts SQL statements sent by an engine while active (`with counter:`)."""

    def __init__(self, container: Container) -> None:
        self._engine = container.database.engine.sync_engine
        self.count = 0

    def _on_execute(self, *args: Any) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        from sqlalchemy import event

        event.listen(self._engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._on_execute)


def require_tool(name: str, hint: str) -> str:
    """The path of a command-line tool: in CI its absence fails the test, elsewhere skips it."""
    local = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(local) if local.exists() else None)
    if found is None:
        message = f"{name} is not installed ({hint})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def crash_after_first_write(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[int]:
    """Make `owner.name` write as usual and then, the first time only, lose the
    connection before the commit. Returns a one-item list counting the calls."""
    real = getattr(owner, name)
    calls = [0]

    async def write_then_fail(self: Any, *args: Any, **kw: Any) -> Any:
        calls[0] += 1
        result = await real(self, *args, **kw)
        if calls[0] == 1:
            raise ConnectionResetError("database went away mid-batch")
        return result

    monkeypatch.setattr(owner, name, write_then_fail)
    return calls

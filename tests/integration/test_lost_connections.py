"""A lost database or Redis connection is 503 busy + Retry-After on any route, never a 500."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.exceptions
from sqlalchemy import exc as sa

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.web.app import create_app
from boxoffice.web.cookies import SESSION as SESSION_COOKIE
from boxoffice.web.lost import lost_connection
from tests.support import PASSWORD, POSTGRES_URL, Fan, make_container, settings_for, show_spec, unique_email


def _wrapped(error: BaseException) -> sa.DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: DBAPIError(adapter error from the driver's)."""
    adapted = Exception(str(error))
    adapted.__cause__ = error
    return sa.DBAPIError("SELECT 1", {}, adapted)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(asyncpg.InternalClientError("cannot switch to state 15; another operation is in progress")),
        _wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")),
        _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")),
        sa.InterfaceError("SELECT 1", {}, asyncpg.InterfaceError("connection is closed")),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        redis.exceptions.ConnectionError("Connection refused"),
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        ConnectionResetError("reset by peer"),
    ],
)
def test_lost_connections_are_recognised_through_their_wrappers(error: BaseException) -> None:
    assert lost_connection(error)


@pytest.mark.parametrize(
    "error", [ValueError("a bug"), sa.IntegrityError("INSERT", {}, Exception("duplicate key")), KeyError("x")]
)
def test_bugs_are_not_lost_connections(error: BaseException) -> None:
    assert not lost_connection(error)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.mark.parametrize(
    "error",
    [
        redis.exceptions.ConnectionError("Connection refused"),
        _wrapped(asyncpg.InternalClientError("cannot switch to state 15; another operation is in progress")),
    ],
)
async def test_any_route_answers_busy_when_a_connection_is_lost(
    container: Container, error: BaseException, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(container, sweep_every=None)

    async def lost(token: str) -> None:
        raise error

    monkeypatch.setattr(container.accounts, "authenticate", lost)  # the session lookup loses it
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        show = await container.inventory.create_show(show_spec())
        for request in (
            client.get("/api/v1/me", headers={"Authorization": "Bearer x"}),
            client.post("/api/v1/holds", headers={"Authorization": "Bearer x", "Idempotency-Key": "k"},
                        json={"show_id": show.id, "section_id": show.sections[0].id, "quantity": 1}),
            client.get("/", headers={"Accept": "text/html", "Cookie": f"{SESSION_COOKIE}=x"}),
        ):  # fmt: skip
            r = await request
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) >= 1
            if r.headers["content-type"].startswith("application/json"):
                assert r.json()["error"]["code"] == "busy"


# -- PostgreSQL: the app's connections are terminated while fans log in, hold and pay --------


@pytest.fixture
async def postgres_app(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    from tests.conftest import _prepare_postgres, _empty_tables

    request.applymarker(pytest.mark.postgres)
    await _prepare_postgres()
    container = make_container(settings_for(tmp_path, POSTGRES_URL, db_pool_size=10), FakeClock())
    await _empty_tables(container.database)
    transport = httpx.ASGITransport(app=create_app(container, sweep_every=None), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield container, client
    finally:
        await container.database.engine.dispose()  # the pool's terminated connections go
        await _empty_tables(container.database)
        await container.close()


async def _terminator(stop: asyncio.Event, killed: list[int], bursts: int = 15) -> None:
    """`bursts` times, a fifth of a second apart: terminate every other backend of the test database."""
    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(bursts):
            if stop.is_set():
                break
            rows = await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            killed[0] += sum(1 for r in rows if r[0])
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def test_terminated_connections_during_logins_holds_and_orders_are_503_never_500(
    postgres_app: tuple[Container, httpx.AsyncClient],
) -> None:
    container, client = postgres_app
    show = await container.inventory.create_show(show_spec(ga_capacity=200, limit=4))
    pista = show.sections[0].id
    emails = [unique_email() for _ in range(12)]
    for email in emails:
        await container.accounts.register(email, PASSWORD, "Fan")
    statuses: Counter[int] = Counter()
    keys = itertools.count()

    async def until_not_busy(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        for _ in range(1000):  # the terminator stops after its bursts; then the line clears
            r = await send()
            statuses[r.status_code] += 1
            if r.status_code != 503:
                return r
            assert int(r.headers["Retry-After"]) >= 1 and r.json()["error"]["code"] == "busy"
            await asyncio.sleep(0.05)
        raise AssertionError("busy for ever")

    async def journey(email: str) -> None:
        for _ in range(3):
            login = await until_not_busy(lambda: client.post(
                "/api/v1/auth/login", json={"email": email, "password": PASSWORD}))  # fmt: skip
            assert login.status_code == 200, login.text
            fan = Fan(client, login.json()["token"], email)
            client.cookies.clear()
            hold_key, order_key = f"h{next(keys)}", f"o{next(keys)}"
            hold = await until_not_busy(lambda: fan.hold(show.id, pista, key=hold_key, quantity=1))
            if hold.status_code != 201:
                assert hold.status_code in {409, 429}, hold.text
                continue
            paid = await until_not_busy(lambda: fan.pay(hold.json()["hold_id"], order_key))
            assert paid.status_code in {201, 409}, paid.text

    stop, killed = asyncio.Event(), [0]
    killer = asyncio.create_task(_terminator(stop, killed))
    try:
        failures = [
            e for e in await asyncio.gather(*(journey(e) for e in emails), return_exceptions=True) if e
        ]  # every journey ends before the database is cleaned up
    finally:
        stop.set()
        await killer
    print(f"statuses {dict(statuses)}, connections terminated {killed[0]}")
    assert failures == []
    assert killed[0] > 0
    assert [s for s in statuses if s >= 500 and s != 503] == []
    assert statuses[200] >= len(emails) * 3

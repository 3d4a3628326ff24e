"""The app behind PgBouncer in transaction mode (Debian's 1.18, no
prepared-statement support): fewer server connections than client ones, so
consecutive transactions of one app connection land on different server
sessions. Nothing may outlive a transaction there: not a startup parameter,
not a named prepared statement, not a session setting or lock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.errors import Busy
from boxoffice.storage.database import Database
from boxoffice.storage.uow import UnitOfWork
from boxoffice.web.app import create_app
from tests.integration.pgbouncer_server import PgBouncer
from tests.integration.test_concurrency import _buy, _totals
from tests.support import POSTGRES_URL, make_container, many_fans, settings_for, show_spec


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    request.applymarker(pytest.mark.postgres)
    return "postgres"


@pytest.fixture
def pgbouncer() -> Iterator[PgBouncer]:
    bouncer = PgBouncer(pool_size=3)  # 3 server connections for 20-connection app pools
    bouncer.start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture
async def bounced(
    container: Container, pgbouncer: PgBouncer, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    """An app on the test database through PgBouncer (`container` prepared the schema)."""
    settings = settings_for(
        tmp_path, pgbouncer.url_for(POSTGRES_URL), database_pgbouncer=True, lock_timeout_ms=300
    )
    app_container = make_container(settings, clock)
    try:
        transport = httpx.ASGITransport(app=create_app(app_container, sweep_every=None))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app_container, client
    finally:
        await app_container.close()


async def test_direct_connection_settings_are_refused_by_pgbouncer(
    container: Container, pgbouncer: PgBouncer
) -> None:
    """Why the setting exists: lock_timeout as a startup parameter is refused."""
    database = Database(pgbouncer.url_for(POSTGRES_URL))
    try:
        with pytest.raises(Exception, match="unsupported startup parameter: lock_timeout"):
            await database.ping()
    finally:
        await database.dispose()


async def test_every_transaction_carries_the_lock_timeout(
    bounced: tuple[Container, httpx.AsyncClient],
) -> None:
    app, _ = bounced
    seen = set()
    for _ in range(10):  # different server sessions, each with the app's timeout
        async with app.database.transaction(write=False) as conn:
            seen.add(await conn.scalar(text("SELECT current_setting('lock_timeout')")))
    assert seen == {"300ms"}
    async with app.database.engine.connect() as conn:  # outside a unit of work: the server's default
        assert await conn.scalar(text("SELECT current_setting('lock_timeout')")) == "0"


async def test_a_lock_held_elsewhere_becomes_busy(
    container: Container, bounced: tuple[Container, httpx.AsyncClient]
) -> None:
    app, _ = bounced
    show = await container.inventory.create_show(show_spec())
    async with container.database.transaction(write=True) as holder:  # direct, holds the row lock
        await holder.execute(text("SELECT 1 FROM sections WHERE id = :id FOR UPDATE"), {"id": show.sections[0].id})
        with pytest.raises(Busy):  # after 300 ms, not forever
            async with UnitOfWork(app.database, write=True) as uow:
                await uow.lock_section(show.sections[0].id)


async def test_a_rush_through_three_server_connections_never_oversells(
    container: Container, bounced: tuple[Container, httpx.AsyncClient]
) -> None:
    """80 buyers, the app's pool of 20 over PgBouncer's 3 server connections:
    unnamed statements never meet another transaction's; the hold batch runs
    on asyncpg directly (its own SET LOCAL), orders through SQLAlchemy."""
    app, client = bounced
    show = await app.inventory.create_show(show_spec(ga_capacity=30))
    pista = show.sections[0]
    fans = await many_fans(app, client, 80)

    results = await asyncio.gather(*(_buy(f, show.id, pista.id, 1, quantity=1) for f in fans))

    paid = [body for _, order_status, body in results if order_status == 201]
    rejected = Counter(body["error"]["code"] for status, _, body in results if status != 201)
    assert len(paid) == 30
    assert rejected == {"sold_out": 50}
    totals = await _totals(container, pista.id)  # read directly, not through PgBouncer
    assert (totals["sold"], totals["held"], totals["tickets"]) == (30, 0, 30)

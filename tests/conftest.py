"""Fixtures: a container and an HTTP client per backend (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.settings import Settings
from boxoffice.storage.database import Database
from boxoffice.storage.migrate import migrate
from boxoffice.storage.tables import metadata
from boxoffice.web.app import create_app
from tests.integration.redis_cluster import RedisClusterNodes
from tests.support import IN_CI, OWN_POSTGRES_DATABASE, PGBOUNCER, POSTGRES_URL, T0, make_container, show_spec, settings_for

_postgres_ready: bool | None = None


async def _prepare_postgres() -> None:
    """Create the test database if needed and bring its schema to head, once."""
    global _postgres_ready
    if _postgres_ready is not None:
        if not _postgres_ready:
            _missing_postgres(None)
        return
    url = make_url(POSTGRES_URL)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False), pgbouncer=PGBOUNCER)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    except OSError as exc:
        _postgres_ready = False
        _missing_postgres(exc)
    finally:
        await admin.dispose()
    database = Database(POSTGRES_URL, pgbouncer=PGBOUNCER)
    try:
        async with database.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await migrate(database)
    finally:
        await database.dispose()
    _postgres_ready = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this run's own PostgreSQL database, if it made one, and the SQLite template."""
    if _postgres_ready and OWN_POSTGRES_DATABASE:
        asyncio.run(_drop_database())
    if _sqlite_template is not None:
        shutil.rmtree(_sqlite_template.parent, ignore_errors=True)


async def _drop_database() -> None:
    url = make_url(POSTGRES_URL)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False), pgbouncer=PGBOUNCER)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def _missing_postgres(exc: Exception | None) -> None:
    message = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


# Sequences owned by a column of a public table: the ones TRUNCATE ... RESTART IDENTITY restarts.
_OWNED_SEQUENCES = text(
    "SELECT s.relname FROM pg_class s"
    " JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
    " JOIN pg_namespace n ON n.oid = s.relnamespace"
    " WHERE s.relkind = 'S' AND n.nspname = 'public'"
)


async def _empty_tables(database: Database) -> None:
    """Every table empty and its ids restarted, as TRUNCATE ... RESTART IDENTITY leaves them.

    DELETE, children first: a test leaves a few rows, and deleting them takes
    ~15 ms where truncating all the tables took 300-450 ms (twice per test).
    The audit trail refuses DELETE (migration 0003's append-only trigger), so
    it alone is truncated; it has no foreign keys.
    """
    async with database.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name == "audit_events":
                await conn.execute(text("TRUNCATE audit_events"))
            else:
                await conn.execute(table.delete())
        for name in (await conn.scalars(_OWNED_SEQUENCES)).all():
            await conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


_sqlite_template: Path | None = None


async def _migrated_sqlite(path: Path) -> None:
    """A migrated SQLite database at `path`: a copy of one migrated once per run
    (Alembic's upgrade from empty takes ~0.2 s, hundreds of times over).
    An existing file (a test that reopens its database) is migrated in place."""
    global _sqlite_template
    if path.exists():
        database = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate(database)
        finally:
            await database.dispose()
        return
    if _sqlite_template is None:
        template = Path(tempfile.mkdtemp(prefix="boxoffice-sqlite-template-")) / "boxoffice.db"
        database = Database(f"sqlite+aiosqlite:///{template}")
        try:
            await migrate(database)
        finally:
            await database.dispose()  # the last connection checkpoints the WAL into the file
        assert not template.with_name("boxoffice.db-wal").exists()
        _sqlite_template = template
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, path)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgres":
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'boxoffice.db'}"


@pytest.fixture
async def container(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Container]:
    async with fresh_container(settings_for(tmp_path, database_url), clock) as c:
        yield c


@contextlib.asynccontextmanager
async def fresh_container(settings: Settings, clock: FakeClock) -> AsyncIterator[Container]:
    """A container on an empty schema (SQLite migrated, PostgreSQL emptied), closed after."""
    url = make_url(settings.effective_database_url)
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite:
        assert url.database, "the tests use SQLite files, never :memory:"
        await _migrated_sqlite(Path(url.database))
    else:
        await _prepare_postgres()
    c = make_container(settings, clock)
    if not sqlite:
        await _empty_tables(c.database)
    try:
        yield c
    finally:
        if not c.database.is_sqlite:
            await _empty_tables(c.database)
        await c.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container, sweep_every=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def show(container: Container) -> Show:
    return await container.inventory.create_show(show_spec())


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterNodes]:
    """A real 3-primary Redis Cluster on loopback ports, shared by the session
    (tests use their own key prefixes; one that kills a node makes its own)."""
    nodes = RedisClusterNodes(tmp_path_factory.mktemp("redis-cluster"))
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()

"""The database engine for both dialects, and how a transaction starts.

SQLite (the embedded default) allows one writer at a time: write
transactions start with BEGIN IMMEDIATE, so a writer takes the database lock
before it reads anything it will decide on, and an in-process asyncio lock
queues writers instead of letting them spin on SQLITE_BUSY. WAL mode lets
readers go on while one writes; synchronous=NORMAL keeps every commit across
a crash of the app process.

Statement parameters (ticket codes, password and session-token hashes) never
reach a log line or an error message (hide_parameters): the SQL echo at DEBUG
shows statements only.

PostgreSQL runs at READ COMMITTED; the row locks in storage/locking.py make
contested decisions serial, and lock_timeout turns a stuck lock into Busy.

Behind PgBouncer in transaction mode (`pgbouncer=True`), a client connection
gets a server connection for one transaction at a time, so nothing may live
on a server session between transactions:

- lock_timeout cannot be a startup parameter (PgBouncer 1.18 refuses it:
  "unsupported startup parameter") nor a session SET: each transaction
  starts with `SET LOCAL lock_timeout` instead (one round trip more each).
- Prepared statements are unnamed: asyncpg's statement cache is off
  (statement_cache_size=0) and SQLAlchemy's is off
  (prepared_statement_cache_size=0) with a name function that returns "", so
  every statement is parsed, bound and run inside its transaction, on the
  server connection that transaction holds. Named statements (asyncpg's
  `__asyncpg_stmt_N__`, or SQLAlchemy's uuid names) would either collide
  between two clients that share a server connection or pile up on it:
  nothing closes them on the server they were prepared on. The price: two
  round trips per statement (parse, then bind + execute) instead of one.
- Locks are row locks and pg_advisory_xact_lock (migrations), both released
  at the end of their transaction; no session-level lock, SET, LISTEN or
  temporary table is used anywhere.

Statements outside a transaction are not safe behind PgBouncer 1.18 (the
parse and the bind of one unnamed statement may reach two server
connections). SQLAlchemy opens a transaction before every statement; the
one exception is asyncpg's own type look-up when a connection is opened
(two tiny catalogue reads), which is why the pool keeps its connections.
PgBouncer >= 1.21 with max_prepared_statements would lift all of this.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, lock_timeout_ms: int = 5000, pgbouncer: bool = False
    ) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.lock_timeout_ms = lock_timeout_ms
        self.pgbouncer = pgbouncer and not self.is_sqlite
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self.engine: AsyncEngine = self._create_engine(pool_size)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _create_engine(self, pool_size: int) -> AsyncEngine:
        if self.is_sqlite:
            database = make_url(self.url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_async_engine(
                self.url, pool_size=pool_size, connect_args={"timeout": self.lock_timeout_ms / 1000},
                hide_parameters=True,
            )
            _configure_sqlite(engine)
            return engine
        # Connections are kept, not churned: opening one (with its TLS probe)
        # costs more than the transaction it serves. lock_timeout is a session
        # setting, so no statement per transaction is spent on it; no pre-ping
        # either (a round trip per checkout): a connection that died with the
        # server fails its request as Busy (503, retry) and leaves the pool.
        # Behind PgBouncer: see the module's docstring.
        connect_args: dict[str, Any] = (
            {
                "statement_cache_size": 0,  # asyncpg: unnamed statements
                "prepared_statement_cache_size": 0,  # SQLAlchemy: prepare per execution
                "prepared_statement_name_func": _unnamed,  # ... as the unnamed statement
            }
            if self.pgbouncer
            else {"server_settings": {"lock_timeout": str(int(self.lock_timeout_ms))}}
        )
        return create_async_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=0,
            pool_recycle=1800,
            hide_parameters=True,
            connect_args=connect_args,
        )

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction; commits only if the caller does."""
        if self._write_lock is not None and write:
            async with self._write_lock:
                async with self._connect(write) as conn:
                    yield conn
        else:
            async with self._connect(write) as conn:
                yield conn

    @property
    def set_lock_timeout(self) -> str | None:
        """The statement each transaction must start with (behind PgBouncer), or None."""
        return f"SET LOCAL lock_timeout = {int(self.lock_timeout_ms)}" if self.pgbouncer else None

    @asynccontextmanager
    async def _connect(self, write: bool) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.execution_options(sqlite_immediate=write)
            await conn.begin()
            if self.set_lock_timeout:
                await conn.exec_driver_sql(self.set_lock_timeout)
            yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _unnamed() -> str:
    return ""


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

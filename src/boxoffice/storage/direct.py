"""Transactions straight on asyncpg for the hot batches (hold batches,
order settlements) on PostgreSQL: a connection from the engine's own pool
(same lock_timeout, same lifecycle; SQLAlchemy runs nothing on it while a
batch has it), one transaction, rolled back unless the store committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from boxoffice.storage.database import Database


class DirectStore(Protocol):
    committed: bool


Store = TypeVar("Store", bound=DirectStore)


def direct_transactions(
    database: Database, make: Callable[[Any, Any], Store]
) -> Callable[[], AbstractAsyncContextManager[Store]]:
    """A factory of stores, each `make(connection, transaction)` in a fresh
    transaction on a pooled connection."""

    @asynccontextmanager
    async def open_store() -> AsyncIterator[Store]:
        async with database.engine.connect() as pooled:
            conn = (await pooled.get_raw_connection()).driver_connection
            transaction = conn.transaction()
            await transaction.start()
            if database.set_lock_timeout:  # behind PgBouncer: per transaction
                await conn.execute(database.set_lock_timeout)
            store = make(conn, transaction)
            try:
                yield store
            finally:
                if not store.committed:
                    try:
                        await transaction.rollback()
                    except Exception:  # noqa: BLE001 - the connection is gone: drop it from the pool
                        await pooled.invalidate()

    return open_store

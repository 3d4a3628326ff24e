"""All concurrency control of boxoffice lives here.

Invariant protected: for every section, sold + live holds <= capacity, no seat
is in two live holds or two tickets, and no account goes over a show's
per-account limit, whatever runs at the same time.

How: every transaction that changes a section's inventory first takes that
section's row lock; every transaction that creates a hold first takes the
(account, show) purchase lock. Locks are always taken in this order:

    purchase lock (account, show)  ->  section row  ->  seats / holds of it

so two transactions never wait on each other in a cycle. On PostgreSQL these
are SELECT ... FOR UPDATE row locks bounded by lock_timeout (a timeout becomes
the typed Busy error). On SQLite the whole database is locked by the write
transaction (BEGIN IMMEDIATE, see storage/database.py), which is stronger
still; the statements below then only read.

Inside the locks, the decision is still a conditional UPDATE whose row count
says whether it happened, and the schema's CHECK constraints refuse an
oversold section even if a caller forgot the lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.storage.tables import purchase_locks, sections, vouchers

_LOCK_TIMEOUT_SQLSTATE = "55P03"


async def lock_purchase(conn: AsyncConnection, account_id: str, show_id: str) -> None:
    """Serialise hold creation for one account and show (per-account limit)."""
    await lock_purchases(conn, [account_id], show_id)


async def lock_purchases(conn: AsyncConnection, account_ids: list[str], show_id: str) -> None:
    """lock_purchase for several accounts, in account-id order (so two batches
    locking overlapping accounts never wait on each other in a cycle)."""
    ordered = sorted(set(account_ids))
    insert_ = _dialect_insert(conn)
    rows = [{"account_id": account_id, "show_id": show_id} for account_id in ordered]
    await _run(conn, insert_(purchase_locks).values(rows).on_conflict_do_nothing())
    await _run(
        conn,
        select(purchase_locks.c.account_id)
        .where(purchase_locks.c.account_id.in_(ordered), purchase_locks.c.show_id == show_id)
        .order_by(purchase_locks.c.account_id)
        .with_for_update(),
    )


# The same locks on a bare asyncpg connection (the hold batch on PostgreSQL,
# holds/batch_pg.py), with the same statements and order.
_ADD_PURCHASE_LOCKS = """INSERT INTO purchase_locks (account_id, show_id)
                         SELECT account_id, $2 FROM unnest($1::varchar[]) AS account_id
                         ON CONFLICT DO NOTHING"""
_LOCK_PURCHASES = """SELECT account_id FROM purchase_locks
                     WHERE account_id = ANY($1::varchar[]) AND show_id = $2
                     ORDER BY account_id FOR UPDATE"""
_LOCK_SECTION_FREE = """SELECT capacity - sold_count - held_count FROM sections
                        WHERE id = $1 FOR UPDATE"""


async def lock_purchases_on(conn: Any, account_ids: list[str], show_id: str) -> None:
    """lock_purchases on an asyncpg connection."""
    ordered = sorted(set(account_ids))
    await conn.execute(_ADD_PURCHASE_LOCKS, ordered, show_id)
    await conn.fetch(_LOCK_PURCHASES, ordered, show_id)


_LOCK_SECTIONS = """SELECT id FROM sections WHERE id = ANY($1::varchar[])
                   ORDER BY id FOR UPDATE"""


async def lock_sections_on(conn: Any, section_ids: list[str]) -> None:
    """lock_section for several sections on an asyncpg connection, in id
    order (rows are locked as the sorted scan returns them), as an order
    batch takes them one by one through the unit of work."""
    await conn.fetch(_LOCK_SECTIONS, sorted(set(section_ids)))


async def lock_section_free_on(conn: Any, section_id: str) -> int | None:
    """lock_section_free on an asyncpg connection."""
    free = await conn.fetchval(_LOCK_SECTION_FREE, section_id)
    return None if free is None else int(free)


def _dialect_insert(conn: AsyncConnection):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


async def lock_section_free(conn: AsyncConnection, section_id: str) -> int | None:
    """Take a section's inventory lock and read how many tickets its counters
    leave free (dead holds still counted); None if the section does not exist."""
    result = await _run(
        conn,
        select(sections.c.capacity - sections.c.sold_count - sections.c.held_count)
        .where(sections.c.id == section_id)
        .with_for_update(),
    )
    return result.scalar()


async def lock_section(conn: AsyncConnection, section_id: str) -> bool:
    """Take a section's inventory lock; False if the section does not exist."""
    result = await _run(
        conn, select(sections.c.id).where(sections.c.id == section_id).with_for_update()
    )
    return result.first() is not None


async def lock_voucher(conn: AsyncConnection, code: str) -> bool:
    """Serialise the uses of one voucher (its max_uses). Taken alone, before
    any other lock (orders take it while creating the order, holding none)."""
    result = await _run(conn, select(vouchers.c.code).where(vouchers.c.code == code).with_for_update())
    return result.first() is not None


async def _run(conn: AsyncConnection, stmt):  # type: ignore[no-untyped-def]
    return await conn.execute(stmt)


def is_lock_timeout(exc: BaseException) -> bool:
    """A lock wait ran out (PostgreSQL lock_timeout, SQLite busy timeout), or
    the connection died under the request (the server restarted): either way
    nothing was committed and the client may retry."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    return (
        exc.connection_invalidated
        or getattr(orig, "sqlstate", None) == _LOCK_TIMEOUT_SQLSTATE
        or "lock timeout" in str(orig)
        or "database is locked" in str(orig)
    )

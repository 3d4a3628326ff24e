"""The yardstick from DESIGN.md: a naive durable hold on ONE hot row
(`UPDATE stock SET available = available - 1 WHERE available >= 1` plus an
insert, one commit each) from several connections, on the same database.
It runs in scratch tables that it drops afterwards."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from boxoffice.storage.database import Database


async def naive_hot_row(
    database_url: str, *, seconds: float, clients: int, purchase: bool = False
) -> float:
    """Holds per second the naive design reaches; with `purchase`, paid
    purchases per second: each hold then paid in a second transaction on the
    same hot row (counter moved from held to sold, an order row written)."""
    database = Database(database_url, pool_size=clients)
    sqlite = database.is_sqlite
    clients = 1 if sqlite else clients
    try:
        async with database.transaction(write=True) as conn:
            for table in ("bench_hold", "bench_order", "bench_stock"):
                await conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
            await conn.execute(text("CREATE TABLE bench_stock (id INTEGER PRIMARY KEY, available INTEGER NOT NULL,"
                                    " sold INTEGER NOT NULL DEFAULT 0)"))  # fmt: skip
            await conn.execute(text("CREATE TABLE bench_hold (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            await conn.execute(text("CREATE TABLE bench_order (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            await conn.execute(text("INSERT INTO bench_stock VALUES (1, 100000000, 0)"))
            await conn.commit()
        done = 0
        deadline = time.perf_counter() + seconds

        async def client(first_id: int) -> None:
            nonlocal done
            next_id = first_id
            while time.perf_counter() < deadline:
                async with database.transaction(write=True) as conn:
                    taken = await conn.execute(
                        text("UPDATE bench_stock SET available = available - 1 WHERE id = 1 AND available >= 1")
                    )
                    if taken.rowcount == 1:
                        await conn.execute(text("INSERT INTO bench_hold VALUES (:id, 1)"), {"id": next_id})
                    await conn.commit()
                if purchase:
                    async with database.transaction(write=True) as conn:
                        await conn.execute(text("UPDATE bench_stock SET sold = sold + 1 WHERE id = 1"))
                        await conn.execute(text("INSERT INTO bench_order VALUES (:id, 1)"), {"id": next_id})
                        await conn.commit()
                next_id += clients
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
        async with database.transaction(write=True) as conn:
            for table in ("bench_hold", "bench_order", "bench_stock"):
                await conn.execute(text(f"DROP TABLE {table}"))
            await conn.commit()
        return done / elapsed
    finally:
        await database.dispose()

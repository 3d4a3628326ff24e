"""The plans of the hold queries that used to grow with a sale, on a holds
table that grew since it was last analysed (20,000 live holds of one show
inserted after the migrations, no ANALYZE, as during a new show's sale):
EXPLAIN ANALYZE on the bench's scratch PostgreSQL database. The queries are
the ones the code sends (the per-section snapshot queries, the batch's
per-buyer read).

    .venv/bin/python docs/profiles/next_expiry_plan.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from _setup import bench_fixture, drop
from boxoffice.holds.batch_pg import TICKETS_USED
from boxoffice.holds.repository import ACTIVE

QUERIES = {
    "next expiry (per section)": """EXPLAIN ANALYZE SELECT min((SELECT h.expires_at FROM holds AS h
        WHERE h.section_id = s.id AND h.status = 'active' AND h.expires_at > $2
        ORDER BY h.expires_at LIMIT 1)) FROM sections AS s WHERE s.show_id = $1""",
    "dead holds (per section)": """EXPLAIN ANALYZE SELECT s.id, (SELECT coalesce(sum(h.quantity), 0)
        FROM holds AS h WHERE h.section_id = s.id AND h.status = 'active' AND h.expires_at <= $2)
        FROM sections AS s WHERE s.show_id = $1""",
}


async def main() -> None:
    settings, f = await bench_fixture()
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg", "postgresql"))
    accounts = [row[0] for row in await conn.fetch("SELECT id FROM accounts")]
    now = datetime.now(UTC)
    await conn.executemany(
        """INSERT INTO holds (id, account_id, show_id, section_id, quantity, status, created_at,
                              expires_at, fingerprint) VALUES ($1, $2, $3, $4, 1, 'active', $5, $6, 'f')""",
        [(f"h{i}", accounts[i % len(accounts)], f.roomy_show, f.roomy_section, now, now + timedelta(minutes=10)) for i in range(20000)],
    )  # fmt: skip
    plans = [(name, query, (f.roomy_show, now)) for name, query in QUERIES.items()]
    buyers = [row[0] for row in await conn.fetch("SELECT id FROM accounts LIMIT 30")]
    plans.append(("tickets used (per buyer)", "EXPLAIN ANALYZE " + TICKETS_USED, (buyers, f.roomy_show, ACTIVE, now)))
    for name, query, args in plans:
        print(name)
        for row in await conn.fetch(query, *args):
            if "Scan" in row[0] or "Execution" in row[0]:
                print("  ", row[0].strip()[:160])
    await conn.close()
    await drop()


asyncio.run(main())

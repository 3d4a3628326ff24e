"""The plans of the availability snapshot's two hold queries with 20,000 live
holds on one show (EXPLAIN ANALYZE on the bench's scratch PostgreSQL database).

    .venv/bin/python docs/profiles/next_expiry_plan.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from _setup import bench_fixture, drop

QUERIES = {
    "next expiry": """EXPLAIN ANALYZE SELECT min(expires_at) FROM holds
                      WHERE status = 'active' AND expires_at > $2 AND show_id = $1""",
    "dead holds": """EXPLAIN ANALYZE SELECT section_id, sum(quantity) FROM holds
                     WHERE show_id = $1 AND status = 'active' AND expires_at <= $2 GROUP BY section_id""",
}


async def main() -> None:
    settings, f = await bench_fixture()
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg", "postgresql"))
    account = await conn.fetchval("SELECT id FROM accounts LIMIT 1")
    now = datetime.now(UTC)
    await conn.executemany(
        """INSERT INTO holds (id, account_id, show_id, section_id, quantity, status, created_at,
                              expires_at, fingerprint) VALUES ($1, $2, $3, $4, 1, 'active', $5, $6, 'f')""",
        [(f"h{i}", account, f.roomy_show, f.roomy_section, now, now + timedelta(minutes=10)) for i in range(20000)],
    )  # fmt: skip
    await conn.execute("ANALYZE holds")
    for name, query in QUERIES.items():
        print(name)
        for row in await conn.fetch(query, f.roomy_show, now):
            if "Scan" in row[0] or "Execution" in row[0]:
                print("  ", row[0].strip())
    await conn.close()
    await drop()


asyncio.run(main())

"""How fast can an authenticated, durable hold be, at best, on this stack and
this machine? Runs the bench's server (`/healthz`, the issue's empty
endpoint) and a bare ASGI app (floor_app.py) on the same uvicorn with the
same worker count, prints each endpoint's rate as a share of `/healthz`, and
the lean hold against the naive hot-row baseline on the same database.

    .venv/bin/python docs/profiles/floor.py [WORKERS]
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import asyncpg
import redis

from _setup import REDIS, bench_fixture, drop
from boxoffice.bench.baseline import naive_hot_row
from boxoffice.bench.load import wrk
from boxoffice.bench.server import Server, free_port

SCHEMA = """
CREATE TABLE floor_section (id int PRIMARY KEY, capacity int NOT NULL, held int NOT NULL, CHECK (held <= capacity));
CREATE TABLE floor_lock (account text, show text, PRIMARY KEY (account, show));
CREATE TABLE floor_hold (id text PRIMARY KEY, account text NOT NULL, section int NOT NULL, quantity int NOT NULL,
                         created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
CREATE INDEX ON floor_hold (account, expires_at);
CREATE TABLE floor_audit (id bigserial PRIMARY KEY, hold_id text NOT NULL, account text NOT NULL, at timestamptz NOT NULL);
INSERT INTO floor_section VALUES (1, 100000000, 0);
"""


async def prepare(dsn: str, tokens: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute(SCHEMA)
    await conn.close()
    r = redis.Redis.from_url(REDIS)
    r.mset({f"session:{token}": f"account-{i}" for i, token in enumerate(tokens)})


async def totals(dsn: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(dsn)
    held = await conn.fetchval("SELECT held FROM floor_section WHERE id = 1")
    rows = await conn.fetchval("SELECT coalesce(sum(quantity), 0) FROM floor_hold")
    audit = await conn.fetchval("SELECT count(*) FROM floor_audit")
    await conn.close()
    return held, rows, audit


def main() -> None:
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    settings, _ = asyncio.run(bench_fixture(fans=10, seats=10))
    assert settings.database_url
    dsn = settings.database_url.replace("postgresql+asyncpg", "postgresql")
    with Server(settings, workers, Path(tempfile.mkdtemp()) / "server.log") as server:
        empty = wrk("healthz", server.url, "/healthz", seconds=8, connections=64)
    print(f"boxoffice /healthz (FastAPI)         {empty.per_second:8,.0f}/s  100%")

    folder = Path(tempfile.mkdtemp())
    tokens = [secrets.token_urlsafe(24) for _ in range(4000)]
    (folder / "tokens.txt").write_text("\n".join(tokens))
    (folder / "hold.json").write_text(json.dumps({"section_id": 1, "quantity": 1}))
    asyncio.run(prepare(dsn, tokens))
    port = free_port()
    bare = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "floor_app:app", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--no-access-log"],
        cwd=Path(__file__).parent, env={**os.environ, "FLOOR_POSTGRES_DSN": dsn},
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for path, what in (("/", "bare ASGI, nothing"), ("/session", "bare ASGI + session GET"),
                           ("/limits", "bare ASGI + GET + 2 rate limits"),
                           ("/one-script", "bare ASGI + the same in 1 script")):  # fmt: skip
            rate = wrk(path, f"http://127.0.0.1:{port}", path, seconds=8, connections=64)
            print(f"{what:36} {rate.per_second:8,.0f}/s  {rate.per_second / empty.per_second:4.0%}")
        hold = wrk("hold", f"http://127.0.0.1:{port}", "/hold", seconds=8, connections=64, method="POST",
                   body=folder / "hold.json", tokens=folder / "tokens.txt")  # fmt: skip
        print(f"{'bare ASGI lean durable hold':36} {hold.per_second:8,.0f}/s  "
              f"{hold.per_second / empty.per_second:4.0%}  p99 {hold.p99_ms:.0f} ms {hold.codes}")
    finally:
        bare.terminate()
        bare.wait()
    held, rows, audit = asyncio.run(totals(dsn))
    naive = asyncio.run(naive_hot_row(settings.database_url, seconds=8, clients=8))
    print(f"naive hot-row hold (8 clients)       {naive:8,.0f}/s  -> lean hold {hold.per_second / naive:.2f}x")
    answered = hold.codes.get("201", 0)  # holds still committing when wrk stopped are not answered
    print(f"check: counter {held}, holds {rows}, audit rows {audit}, answered 201 {answered}: "
          f"{'OK' if held == rows == audit >= answered else 'MISMATCH'}")
    asyncio.run(drop())


main()

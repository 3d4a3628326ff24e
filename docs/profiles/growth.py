"""Does a hold get dearer as a sale goes on? The holds phase (8 s of wrk,
64 connections, warm sessions) five times in a row against one `boxoffice
serve --workers 2` and one database, with the CPU per hold of the app,
PostgreSQL and Redis for each run (from /proc, as cpu_split.py).

    .venv/bin/python docs/profiles/growth.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _setup import bench_fixture, drop
from cpu_split import cpu_seconds
from boxoffice.bench import fixture as fx
from boxoffice.bench.load import wrk
from boxoffice.bench.server import Server

settings, f = asyncio.run(bench_fixture())
files = fx.write_inputs(f, Path(tempfile.mkdtemp()))
with Server(settings, 2, Path(tempfile.mkdtemp()) / "server.log") as server:
    wrk("warm", server.url, "/api/v1/me", seconds=3, connections=64, tokens=files["tokens"])
    for run in range(5):
        before = cpu_seconds()
        rate = wrk("holds", server.url, "/api/v1/holds", seconds=8, connections=64, method="POST",
                   body=files["hold_roomy"], tokens=files["tokens"])  # fmt: skip
        spent = cpu_seconds() - before
        per_hold = {kind: spent[kind] / max(rate.requests, 1) * 1000 for kind in ("app", "postgres", "redis")}
        print(f"run {run}: {rate.per_second:,.0f} holds/s, p50 {rate.p50_ms:.0f} p99 {rate.p99_ms:.0f} ms; "
              + ", ".join(f"{kind} {ms:.3f} ms/hold" for kind, ms in per_hold.items()), flush=True)  # fmt: skip
asyncio.run(drop())

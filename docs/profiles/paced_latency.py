"""Hold latency at a fixed rate (open loop, timed from when each request was
due) against a real `boxoffice serve --workers 2`, twice 8 s at RATE holds/s.

    .venv/bin/python docs/profiles/paced_latency.py [RATE]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from _setup import bench_fixture, drop
from boxoffice.bench import fixture as fx
from boxoffice.bench.load import paced, wrk
from boxoffice.bench.server import Server


async def main(rate: float) -> None:
    settings, f = await bench_fixture()
    files = fx.write_inputs(f, Path(tempfile.mkdtemp()))
    with Server(settings, 2, Path(tempfile.mkdtemp()) / "server.log") as server:
        wrk("warm", server.url, "/api/v1/me", seconds=3, connections=64, tokens=files["tokens"])
        for _ in range(2):
            r = await paced("paced", server.url, "/api/v1/holds", f.roomy_hold, f.tokens, rate=rate, seconds=8)
            print(f"{r.per_second:,.0f}/s p50 {r.p50_ms:.1f} p95 {r.p95_ms:.1f} p99 {r.p99_ms:.1f} ms {r.codes}")
    await drop()


asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 500))

"""App CPU per hold against a real `boxoffice serve --workers 2` (read from
/proc around a wrk phase of 1-ticket holds, sessions warmed first); with
--spy, a py-spy profile of one worker (pip install py-spy) summed by package.

    .venv/bin/python docs/profiles/holds_server.py [SECONDS] [--spy]
"""

from __future__ import annotations

import asyncio
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _setup import bench_fixture, drop
from boxoffice.bench import fixture as fx
from boxoffice.bench.load import wrk
from boxoffice.bench.server import Server, _children

seconds = int(next((a for a in sys.argv[1:] if a.isdigit()), "10"))
settings, f = asyncio.run(bench_fixture())
files = fx.write_inputs(f, Path(tempfile.mkdtemp()))
with Server(settings, 2, Path(tempfile.mkdtemp()) / "server.log") as server:
    wrk("warm", server.url, "/api/v1/me", seconds=3, connections=64, tokens=files["tokens"])
    spy = None
    if "--spy" in sys.argv:
        worker = (_children(server._process.pid) or [server._process.pid])[0]  # type: ignore[union-attr]
        spy = subprocess.Popen(["py-spy", "record", "-d", str(seconds - 2), "-r", "200", "--format", "raw",
                                "-o", "/tmp/holds.spy", "-p", str(worker)], stdout=subprocess.DEVNULL)  # fmt: skip
    before = server.worker_cpu_seconds()
    rate = wrk("holds", server.url, "/api/v1/holds", seconds=seconds, connections=64, method="POST",
               body=files["hold_roomy"], tokens=files["tokens"])  # fmt: skip
    spent = server.worker_cpu_seconds() - before
    if spy:
        spy.wait()
print(f"{rate.per_second:,.0f} holds/s, p99 {rate.p99_ms:.0f} ms, {rate.codes}; "
      f"app CPU per hold {spent / max(rate.requests, 1) * 1000:.3f} ms")  # fmt: skip
asyncio.run(drop())
if "--spy" in sys.argv:
    by_package, total = collections.Counter[str](), 0
    for line in open("/tmp/holds.spy"):
        stack, _, count = line.rstrip().rpartition(" ")
        if "pong" in stack:  # uvicorn's supervisor thread: idle
            continue
        found = re.search(r"\(([^)/]*)[/.]", stack.split(";")[-1])
        by_package[found.group(1) if found else "?"] += int(count)
        total += int(count)
    for package, n in by_package.most_common(15):
        print(f"{n / total:6.1%} {package}")

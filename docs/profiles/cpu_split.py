"""Where the machine's cores go during a holds phase against `boxoffice serve
--workers 2`: CPU ticks of the app, PostgreSQL, Redis and the rest, read from
/proc around 8 s of wrk holds (sessions warmed first).

    .venv/bin/python docs/profiles/cpu_split.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from _setup import bench_fixture, drop
from boxoffice.bench import fixture as fx
from boxoffice.bench.load import wrk
from boxoffice.bench.server import Server

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def kind_of(pid: Path) -> str:
    stat = (pid / "stat").read_text()
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    command = (pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    if "postgres" in name:
        return "postgres"
    if "redis" in name:
        return "redis"
    if "boxoffice" in command or "multiprocessing" in command:  # the server and its workers
        return "app"
    return f"other: {name}"


def cpu_seconds() -> Counter[str]:
    """User + system CPU time of every live process, summed by kind."""
    spent: Counter[str] = Counter()
    for pid in Path("/proc").iterdir():
        if not pid.name.isdigit():
            continue
        try:
            fields = (pid / "stat").read_text().rpartition(")")[2].split()
            spent[kind_of(pid)] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return spent


def main() -> None:
    settings, f = asyncio.run(bench_fixture())
    files = fx.write_inputs(f, Path(tempfile.mkdtemp()))
    with Server(settings, 2, Path(tempfile.mkdtemp()) / "server.log") as server:
        wrk("warm", server.url, "/api/v1/me", seconds=3, connections=64, tokens=files["tokens"])
        before, started = cpu_seconds(), time.monotonic()
        rate = wrk("holds", server.url, "/api/v1/holds", seconds=8, connections=64, method="POST",
                   body=files["hold_roomy"], tokens=files["tokens"])  # fmt: skip
        spent, elapsed = cpu_seconds() - before, time.monotonic() - started
    print(f"{rate.per_second:,.0f} holds/s (wrk itself has exited: not counted)")
    for kind, seconds in spent.most_common():
        if seconds > 0.05 * elapsed:
            print(f"  {kind:24} {seconds / elapsed:5.2f} cores  {seconds / rate.requests * 1000:.3f} ms per hold")
    asyncio.run(drop())


if __name__ == "__main__":
    main()

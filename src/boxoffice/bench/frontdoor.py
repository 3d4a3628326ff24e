"""`boxoffice bench front-door`: what a mega sale hits first, measured.

1. The empty endpoint (`/healthz`) with wrk: the ceiling of one worker.
2. A login storm: `--logins` clients log in over and over (real argon2id
   parameters) while one probe asks `/healthz` and availability in turn;
   the probe's p50/p99 idle and during the storm, and logins/s (503 busy
   counted apart: past the hashing line a login is refused at once).
3. Waiting-room polls of fans far from the front with their place token
   (X-Queue-Token), against the full poll (session + store) and the empty
   endpoint, with the app's CPU seconds per poll (from /proc).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from boxoffice.accounts.passwords import Passwords, fast_hasher
from boxoffice.bench.fixture import PASSWORD, bench_settings
from boxoffice.bench.load import Rate, wrk
from boxoffice.bench.server import Server
from boxoffice.bootstrap import build_container
from boxoffice.inventory.domain import SectionKind, SectionSpec, ShowSpec
from boxoffice.storage.migrate import migrate
from boxoffice.waitingroom.service import RoomSettings

STORM_EMAIL = "storm@bench.example.com"


@dataclass
class Probe:
    """Latencies (ms) of one request at a time, while something else runs."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {"healthz": [], "availability": []})

    def line(self, label: str) -> str:
        parts = []
        for name, values in self.ms.items():
            values = sorted(values) or [0.0]
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            parts.append(f"{name} p50 {statistics.median(values):6.1f} ms p99 {p99:6.1f} ms (n={len(values)})")
        return f"{label:<22} " + "   ".join(parts)


@dataclass
class Figures:
    empty: Rate
    idle: Probe
    storm: Probe
    logins: Counter[int]
    storm_seconds: float
    polls: Rate
    full_polls: Rate
    cpu_per_poll_ms: float
    cpu_per_full_poll_ms: float
    workers: int
    cpu_per_empty_ms: float

    def lines(self) -> list[str]:
        ok = self.logins.get(200, 0)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        return [
            f"empty endpoint (/healthz, wrk)   {self.empty.per_second:>9,.0f}/s  (app CPU {self.cpu_per_empty_ms:.3f} ms/request)",
            f"logins (argon2id, {self.workers} worker)      {ok / self.storm_seconds:>9,.1f}/s per worker "
            f"({ok} ok, {self.logins.get(503, 0)} busy 503, other {dict((k, v) for k, v in self.logins.items() if k not in (200, 503))})",
            self.idle.line("probe, idle"),
            self.storm.line("probe, during logins"),
            f"polls far from the front        {self.polls.per_second:>9,.0f}/s  "
            f"({self.polls.per_second / self.empty.per_second:.0%} of the empty endpoint; "
            f"app CPU {self.cpu_per_poll_ms:.3f} ms/poll; p99 {self.polls.p99_ms:.1f} ms; codes {self.polls.codes})",
            f"polls, full path (session+store) {self.full_polls.per_second:>8,.0f}/s  "
            f"(app CPU {self.cpu_per_full_poll_ms:.3f} ms/poll; codes {self.full_polls.codes})",
            f"load average {load} (the machine is shared)",
        ]


async def _prepare(settings, fans: int) -> tuple[str, str, list[str]]:  # type: ignore[no-untyped-def]
    """The storm's account (real argon2id), a show with its waiting room, and `fans` sessions."""
    container = build_container(settings, passwords=Passwords(fast_hasher()))
    real = Passwords(threads=1)
    try:
        await migrate(container.database)
        now = container.clock.now()
        show = await container.inventory.create_show(ShowSpec(
            name="Front door", venue="Bench Stadium", starts_at=now + timedelta(days=30),
            sale_opens_at=now - timedelta(minutes=5), sale_closes_at=now + timedelta(days=29),
            per_account_limit=4, currency="BRL",
            sections=(SectionSpec("Pista", SectionKind.GA, 20_000, capacity=100_000),),
        ))  # fmt: skip
        await container.waiting_room.configure(
            show.id, RoomSettings(True, now - timedelta(minutes=10), admit_per_minute=1)
        )  # one a minute: everyone but the first few stays far from the front
        tokens = []
        for i in range(fans):
            email = f"poller{i}@bench.example.com"
            await container.accounts.register(email, PASSWORD, "Fan")
            tokens.append((await container.accounts.login(email, PASSWORD))[1])
        stored = await real.hash(PASSWORD)  # what a real sign-up stores
        await container.accounts.register(STORM_EMAIL, PASSWORD, "Storm")
        async with container.database.engine.begin() as conn:
            from sqlalchemy import update

            from boxoffice.storage.tables import accounts

            await conn.execute(update(accounts).where(accounts.c.email == STORM_EMAIL).values(password_hash=stored))
    finally:
        real.close()
        await container.close()
    return show.id, show.sections[0].id, tokens


def probe(url: str, show_id: str, seconds: float) -> dict[str, list[float]]:
    """One request at a time on one kept-alive connection (runs in its own process,
    so the storm's clients do not delay the probe's own clock)."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    ms: dict[str, list[float]] = {"healthz": [], "availability": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, path in (("healthz", "/healthz"), ("availability", f"/api/v1/shows/{show_id}/availability")):
            started = time.perf_counter()
            conn.request("GET", path)
            conn.getresponse().read()
            ms[name].append((time.perf_counter() - started) * 1000)
        time.sleep(0.005)
    return ms


async def _probe(url: str, show_id: str, seconds: float) -> Probe:
    import json
    import sys

    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "boxoffice.bench.frontdoor", url, show_id, str(seconds),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await child.communicate()
    return Probe(json.loads(out))


async def _storm(url: str, clients: int, seconds: float, logins: Counter[int]) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client() -> None:
            while time.monotonic() < deadline:
                async with http.post(url + "/api/v1/auth/login",
                                     json={"email": STORM_EMAIL, "password": PASSWORD}) as r:  # fmt: skip
                    await r.read()
                    logins[r.status] += 1
                    if r.status == 503:
                        await asyncio.sleep(0.05)  # a real client would wait Retry-After

        await asyncio.gather(*(client() for _ in range(clients)))


async def _place_tokens(url: str, show_id: str, sessions: list[str]) -> list[str]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        tokens = []
        for session in sessions:
            async with http.post(f"{url}/api/v1/shows/{show_id}/queue",
                                 headers={"Authorization": f"Bearer {session}"}) as r:  # fmt: skip
                body = await r.json()
                if r.status != 200:
                    raise RuntimeError(f"joining the line failed: {r.status} {body}")
                tokens.append(body["place_token"])
        return tokens


async def front_door(
    *, workers: int, logins: int, seconds: int, fans: int, database_url: str | None,
    redis_url: str | None, progress: Callable[[str], None],
) -> Figures:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = bench_settings(folder, database_url, redis_url)
        progress("preparing accounts, a show and its waiting room")
        show_id, _section, sessions = await _prepare(settings, fans)
        env = {"BOXOFFICE_LOGIN_IP_RATE": "100000000/minute", "BOXOFFICE_QUEUE_RATE": "100000000/minute",
               "BOXOFFICE_REGISTER_RATE": "1000000/minute"}  # fmt: skip
        with Server(settings, workers, folder / "server.log", **env) as server:
            progress("empty endpoint")
            cpu = server.worker_cpu_seconds()
            empty = wrk("empty", server.url, "/healthz", seconds=seconds, connections=32)
            cpu_empty = server.worker_cpu_seconds() - cpu
            counts: Counter[int] = Counter()
            progress("probe, idle")
            idle = await _probe(server.url, show_id, min(seconds, 3))
            progress(f"{logins} clients logging in for {seconds} s, with the probe")
            prober = asyncio.create_task(_probe(server.url, show_id, seconds))
            await _storm(server.url, logins, seconds, counts)
            storm = await prober
            progress("waiting-room polls")
            places = folder / "places.txt"
            placed = await _place_tokens(server.url, show_id, sessions)
            places.write_text("\n".join(placed[10:]))  # the first few are near the front: full path
            bearer = folder / "sessions.txt"
            bearer.write_text("\n".join(sessions))
            path = f"/api/v1/shows/{show_id}/queue"
            cpu = server.worker_cpu_seconds()
            polls = wrk("polls", server.url, path, seconds=seconds, connections=32, tokens=places,
                        token_header="X-Queue-Token")  # fmt: skip
            cpu_polls = server.worker_cpu_seconds() - cpu
            cpu = server.worker_cpu_seconds()
            full = wrk("full polls", server.url, path, seconds=seconds, connections=32, tokens=bearer)
            cpu_full = server.worker_cpu_seconds() - cpu
    return Figures(
        empty=empty, idle=idle, storm=storm, logins=counts, storm_seconds=seconds, polls=polls,
        full_polls=full, cpu_per_poll_ms=cpu_polls * 1000 / max(polls.requests, 1),
        cpu_per_full_poll_ms=cpu_full * 1000 / max(full.requests, 1), workers=workers,
        cpu_per_empty_ms=cpu_empty * 1000 / max(empty.requests, 1),
    )  # fmt: skip


if __name__ == "__main__":  # the probe's process
    import json
    import sys

    print(json.dumps(probe(sys.argv[1], sys.argv[2], float(sys.argv[3]))))

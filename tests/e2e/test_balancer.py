"""The production topology: HAProxy in front of three app processes on
PostgreSQL and Redis. A sale goes on while one app is SIGKILLed and restarted:
nothing is oversold, every acknowledged order is there, and the errors fans
see are few and retryable. An app that stops answering /readyz gets no traffic."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.storage.tables import orders, sections, tickets
from tests.e2e.balancer import Balancer, need_haproxy
from tests.e2e.server import Server
from tests.support import PASSWORD, show_spec, unique_email

pytestmark = pytest.mark.slow


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: many processes share one database (SQLite is one machine's file)."""
    request.applymarker(pytest.mark.postgres)
    return "postgres"

REDIS_URL = "redis://127.0.0.1:6379/11"
RETRYABLE = {502, 503, 504}
TICKETS, FANS = 50, 90


@pytest.fixture
def topology(backend: str, container: Container, database_url: str, tmp_path: Path) -> Iterator[tuple[Balancer, list[Server]]]:
    need_haproxy()
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        "BOXOFFICE_DATABASE_URL": database_url, "BOXOFFICE_REDIS_URL": REDIS_URL,
        "BOXOFFICE_DATA_DIR": str(tmp_path / "data"),
        "BOXOFFICE_SECRET_KEY": "topology-test-secret-" + "x" * 32,
    }  # fmt: skip
    apps = [Server(env, tmp_path / f"app{i}.log") for i in range(3)]
    balancer = Balancer(tmp_path, [a.port for a in apps])
    try:
        for app in apps:
            app.start()
        balancer.start(expect_up=3)
        yield balancer, apps
    finally:
        balancer.stop()
        for app in apps:
            app.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


async def _call(http: httpx.AsyncClient, seen: Counter[str], method: str, path: str, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    """A fan's client: retry what the balancer says is retryable, with the same Idempotency-Key."""
    for _ in range(40):
        try:
            r = await http.request(method, path, **kw)
        except httpx.TransportError as exc:
            seen[type(exc).__name__] += 1
        else:
            if r.status_code not in RETRYABLE:
                return r
            seen[str(r.status_code)] += 1
        await asyncio.sleep(0.1)  # a real client's back-off against real processes
    raise AssertionError(f"{method} {path} never got a final answer: {seen}")


async def test_a_sale_survives_losing_an_app(topology: tuple[Balancer, list[Server]], container: Container) -> None:
    balancer, apps = topology
    # The apps run on real time (the container's clock is fixed in 2030).
    show = await container.inventory.create_show(
        show_spec(ga_capacity=TICKETS, opens=datetime.now(UTC) - timedelta(hours=1))
    )
    pista = show.sections[0]
    tokens = []
    for _ in range(FANS):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        tokens.append((await container.accounts.login(email, PASSWORD))[1])

    seen: Counter[str] = Counter()
    acknowledged: list[str] = []
    outcomes: Counter[str] = Counter()
    gate = asyncio.Semaphore(24)
    started = asyncio.Event()

    async def buy(i: int, http: httpx.AsyncClient) -> None:
        auth = {"Authorization": f"Bearer {tokens[i]}"}
        async with gate:
            held = await _call(http, seen, "POST", "/api/v1/holds", headers={**auth, "Idempotency-Key": f"h{i}"},
                               json={"show_id": show.id, "section_id": pista.id, "quantity": 1})  # fmt: skip
            if held.status_code != 201:
                outcomes[held.json()["error"]["code"]] += 1
                return
            paid = await _call(http, seen, "POST", "/api/v1/orders", headers={**auth, "Idempotency-Key": f"o{i}"},
                               json={"hold_id": held.json()["hold_id"],
                                     "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
            assert paid.status_code == 201, paid.text
            acknowledged.append(paid.json()["order_id"])
            outcomes["paid"] += 1
            if outcomes["paid"] == 10:  # mid-sale: every app has requests in flight
                started.set()

    async def kill_and_restart() -> None:
        await started.wait()
        apps[1].kill()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(apps[1].start)

    async with httpx.AsyncClient(base_url=balancer.url, timeout=30) as http:
        await asyncio.gather(kill_and_restart(), *(buy(i, http) for i in range(FANS)))
    balancer.wait_for(lambda s: s.get("app2") == "UP")

    async with container.database.engine.connect() as conn:
        sold = await conn.scalar(select(sections.c.sold_count).where(sections.c.id == pista.id))
        issued = await conn.scalar(select(func.count()).select_from(tickets).where(tickets.c.show_id == show.id))
        paid = set((await conn.execute(select(orders.c.id).where(orders.c.status == "paid"))).scalars())
    assert sold == issued == TICKETS == outcomes["paid"], (sold, issued, outcomes)  # sold out, never over
    assert set(acknowledged) == paid  # every 201 is in the database, and nothing else was paid
    assert outcomes["sold_out"] == FANS - TICKETS
    # What fans saw of the crash: a few retryable answers, never a wrong one.
    # What fans saw of the crash: only retryable answers (the requests in flight
    # on the killed app: at most the 24 in flight), and their retries succeeded.
    assert set(seen) <= {"502", "503", "504", "ReadError", "RemoteProtocolError"}, seen
    assert sum(seen.values()) <= 24, seen


async def test_an_app_that_stops_answering_readyz_gets_no_traffic(topology: tuple[Balancer, list[Server]]) -> None:
    balancer, apps = topology
    assert apps[0].proc is not None
    apps[0].proc.send_signal(signal.SIGSTOP)  # alive, but answers nothing: its /readyz times out
    try:
        states = balancer.wait_for(lambda s: s["app1"] != "UP", timeout=10)
        assert states["app2"] == states["app3"] == "UP"
        async with httpx.AsyncClient(base_url=balancer.url, timeout=5) as http:
            answers = await asyncio.gather(*(http.get("/api/v1/shows") for _ in range(30)))
        assert [r.status_code for r in answers] == [200] * 30  # none went to the frozen app
    finally:
        apps[0].proc.send_signal(signal.SIGCONT)
    balancer.wait_for(lambda s: s["app1"] == "UP", timeout=10)

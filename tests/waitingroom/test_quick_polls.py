"""Polls that cost what an availability read costs (waitingroom/polls.py):
a fan far from the front is answered from a signed place token and this
process's second-old cursor, touching neither the session store nor the
queue store (Redis) nor the database; everything else takes the full path."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.waitingroom.store import MemoryQueueStore
from boxoffice.web.app import create_app
from tests.support import Fan, QueryCounter, make_container, many_fans, settings_for
from tests.waitingroom.conftest import SALE_OPENS, open_room

PER_MINUTE = 60  # one a second: "near the front" is the next 10 places


@pytest.fixture
def backend() -> str:
    return "sqlite"  # what is under test is this process's memory, not the database


class CountingStore(MemoryQueueStore):
    """The in-process line, counting every call (the Redis store would be a round trip each)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if not name.startswith("_") and callable(attr) and name not in {"calls"}:
            object.__setattr__(self, "calls", object.__getattribute__(self, "calls") + 1)
        return attr


@pytest.fixture
async def line(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> list[Fan]:
    """30 fans in line after the sale opened (positions 1..30), one admitted."""
    await open_room(container, future_show, per_minute=PER_MINUTE)
    clock.set(SALE_OPENS)
    fans = await many_fans(container, client, 30)
    for fan in fans:
        assert (await fan.post(f"/api/v1/shows/{future_show.id}/queue")).status_code == 200
    await container.waiting_room.admit(future_show.id)
    return fans


async def _poll(client: httpx.AsyncClient, show: Show, token: str) -> httpx.Response:
    return await client.get(f"/api/v1/shows/{show.id}/queue", headers={"X-Queue-Token": token})


async def _token(fan: Fan, show: Show) -> dict:
    r = await fan.get(f"/api/v1/shows/{show.id}/queue")
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_far_poll_touches_no_session_no_store_and_no_database(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container, future_show: Show,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    store = CountingStore()
    from boxoffice.bootstrap import build_container  # this app's line is the counting store
    from boxoffice.orders.payments import FakeGateway
    from tests.support import Passwords, fast_hasher

    own = build_container(
        settings_for(tmp_path, database_url), clock=clock, gateway=FakeGateway(),
        passwords=Passwords(fast_hasher()), queue_store=store,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(own, sweep_every=None)), base_url="http://t"
        ) as client:
            await open_room(own, future_show, per_minute=PER_MINUTE)
            clock.set(SALE_OPENS)
            fans = await many_fans(own, client, 20)
            for fan in fans:
                await fan.post(f"/api/v1/shows/{future_show.id}/queue")
            last = (await _token(fans[-1], future_show))["place_token"]
            await _poll(client, future_show, last)  # this process learns the cursor (one store read)

            async def no_session(token: str) -> None:
                raise AssertionError("the session store was asked")

            monkeypatch.setattr(own.accounts, "authenticate", no_session)
            store.calls = 0
            with QueryCounter(own) as queries:
                for _ in range(50):
                    r = await _poll(client, future_show, last)
                    assert r.status_code == 200, r.text
                    assert (r.json()["status"], r.json()["position"]) == ("waiting", 20)
                    last = r.json()["place_token"]
            assert store.calls == 0 and queries.count == 0
    finally:
        await own.close()


async def test_forged_other_shows_and_old_tokens_are_refused(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock, line: list[Fan]
) -> None:
    token = (await _token(line[-1], future_show))["place_token"]
    assert (await _poll(client, future_show, token)).status_code == 200  # genuine: no session needed
    payload, _, signature = token.rpartition(".")
    show, account, position, *rest = payload.split(".")
    forged = ".".join([show, account, "2", *rest]) + "." + signature  # a better place, same signature
    other = await container.inventory.create_show(
        __import__("tests.support", fromlist=["show_spec"]).show_spec(opens=SALE_OPENS)
    )
    refused = [
        forged,
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "not-a-token",
    ]
    for bad in refused:  # refused: the route answers, and it wants a session
        assert (await _poll(client, future_show, bad)).status_code == 401, bad
    r = await client.get(f"/api/v1/shows/{other.id}/queue", headers={"X-Queue-Token": token})
    assert r.status_code == 401  # another show's
    clock.advance(hours=25)  # past the token's age (and the admitter never ran: nobody moved)
    assert (await _poll(client, future_show, token)).status_code == 401


async def test_only_the_full_path_admits_and_admission_follows_queue_order(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock, line: list[Fan]
) -> None:
    tokens = {f.email: (await _token(f, future_show))["place_token"] for f in line}
    positions = {f.email: (await _token(f, future_show))["position"] for f in line}
    for _ in range(30):
        clock.advance(seconds=1)
        await container.waiting_room.admit(future_show.id)
        cursor = (await container.queue_store.state(future_show.id)).cursor
        for fan in random.sample(line, 8):
            quick = await _poll(client, future_show, tokens[fan.email])
            if quick.status_code == 200:  # the quick answer: never admitted, always far back
                assert quick.json()["status"] == "waiting" and quick.json()["admission_token"] is None
                assert positions[fan.email] > cursor + 10
                tokens[fan.email] = quick.json()["place_token"]
            else:
                assert quick.status_code == 401 and positions[fan.email] <= cursor + 10
            full = await _token(fan, future_show)  # the full path says who is in: queue order
            assert (full["status"] == "admitted") == (positions[fan.email] <= cursor)
            assert full["position"] == positions[fan.email]  # one place per account, unchanged


async def test_the_estimated_wait_never_grows_across_processes_at_an_unchanged_rate(
    tmp_path: Path, database_url: str, container: Container, future_show: Show, clock: FakeClock
) -> None:
    """Two app processes share the line; the admitter runs in the first, so the
    second's cursor is up to a second old. A fan polling both, through the
    quick path and the full one, never sees the wait grow."""
    shared = container.queue_store
    second = make_container(settings_for(tmp_path, database_url), clock)
    second.waiting_room._store = shared  # noqa: SLF001 - the same line, another process's memory
    a = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container, sweep_every=None)),
                          base_url="http://a")  # fmt: skip
    b = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(second, sweep_every=None)),
                          base_url="http://b")  # fmt: skip
    try:
        await open_room(container, future_show, per_minute=PER_MINUTE)
        clock.set(SALE_OPENS)
        fans = await many_fans(container, a, 80)
        for fan in fans:
            await fan.post(f"/api/v1/shows/{future_show.id}/queue")
        me = Fan(b, fans[-1].token, fans[-1].email)
        token = (await _token(me, future_show))["place_token"]
        waits: list[int] = []

        async def poll(client: httpx.AsyncClient, full: bool = False) -> bool:
            nonlocal token
            if full:
                answer = await _token(Fan(client, me.token, me.email), future_show)
            else:
                r = await client.get(f"/api/v1/shows/{future_show.id}/queue", headers={"X-Queue-Token": token})
                if r.status_code != 200:
                    return False  # near the front: only the full path answers now
                answer = r.json()
            token = answer["place_token"]
            waits.append(answer["estimated_wait_seconds"])
            return True

        for step in range(60):
            clock.advance(seconds=0.6)
            if not await poll(b):  # b reads the cursor now and keeps it for a second
                break
            clock.advance(seconds=0.5)
            await container.waiting_room.admit(future_show.id)  # a moves it
            await poll(a, full=step % 5 == 4)  # a's answer is fresh
            if not await poll(b):  # b's is half a second old: without care, more ahead again
                break
        assert len(waits) > 100 and waits[0] > waits[-1]
        assert all(later <= earlier for earlier, later in zip(waits, waits[1:], strict=False)), waits
    finally:
        await a.aclose()
        await b.aclose()
        await second.close()


async def test_pages_poll_with_a_cookie_scoped_to_the_shows_queue(
    container: Container, client: httpx.AsyncClient, future_show: Show, line: list[Fan]
) -> None:
    r = await line[-1].get(f"/api/v1/shows/{future_show.id}/queue")
    cookie = r.headers["set-cookie"]
    assert "boxoffice_place=" in cookie and f"Path=/api/v1/shows/{future_show.id}/queue" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = r.json()["place_token"]
    client.cookies.clear()
    polled = await client.get(
        f"/api/v1/shows/{future_show.id}/queue", headers={"Cookie": f"boxoffice_place={token}"}
    )  # a browser: the cookie, no Authorization header
    assert polled.status_code == 200 and polled.json()["position"] == 30
    assert "boxoffice_place=" in polled.headers["set-cookie"]  # renewed

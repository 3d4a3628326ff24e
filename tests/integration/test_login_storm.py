"""A login storm never stalls the event loop, and past the hashing line is 503 busy.

Structural, not timed: every hash is held on its pool thread by a gate, so
while 200 logins are in flight the only way /healthz and availability can
answer is if hashing happens off the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from boxoffice.accounts.passwords import MEMORY_KIB, PARALLELISM, TIME_COST, Passwords, fast_hasher
from boxoffice.bootstrap import Container, build_container
from boxoffice.clock import FakeClock
from boxoffice.orders.payments import FakeGateway
from boxoffice.storage.migrate import migrate
from boxoffice.storage.uow import unit_of_work_factory
from boxoffice.web.app import create_app
from tests.support import PASSWORD, T0, settings_for, show_spec, unique_email

STORM = 200
THREADS = 2


class GatedHasher(PasswordHasher):
    """Argon2id that, once armed, waits on a gate inside the pool thread and
    records which threads hashed."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=256, parallelism=1)
        self.gate = threading.Event()
        self.gate.set()
        self.threads: set[str] = set()
        self.waiting = 0
        self._lock = threading.Lock()

    def _held(self) -> None:
        with self._lock:
            self.threads.add(threading.current_thread().name)
            self.waiting += 1
        self.gate.wait(timeout=120)
        with self._lock:
            self.waiting -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._held()
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        self._held()
        return super().verify(hash, password)


async def _container(tmp_path: Path, passwords: Passwords, **settings: Any) -> Container:
    container = build_container(
        settings_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'storm.db'}", **settings),
        clock=FakeClock(T0), gateway=FakeGateway(), passwords=passwords,
    )  # fmt: skip
    await migrate(container.database)
    return container


@pytest.fixture
async def storm(tmp_path: Path) -> AsyncIterator[tuple[Container, httpx.AsyncClient, GatedHasher]]:
    hasher = GatedHasher()
    passwords = Passwords(hasher, threads=THREADS, queue=STORM - THREADS)
    container = await _container(tmp_path, passwords, ip_rate="100000/minute")
    app = create_app(container, sweep_every=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield container, c, hasher
    hasher.gate.set()
    passwords.close()
    await container.close()


async def _until(condition: Any, what: str) -> None:
    for _ in range(6000):  # generous: the machine may be busy
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_health_and_availability_answer_while_200_logins_hash(storm: Any) -> None:
    container, client, hasher = storm
    show = await container.inventory.create_show(show_spec())
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")

    hasher.threads.clear()  # (the dummy hash was made when the app was built)
    hasher.gate.clear()  # every hash from now on waits on its pool thread
    logins = [
        asyncio.create_task(client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}))
        for _ in range(STORM)
    ]
    passwords = container.accounts._passwords  # noqa: SLF001 - the line's length is what is under test
    await _until(lambda: passwords.in_flight == STORM, "200 logins waiting for hashing")
    await _until(lambda: hasher.waiting == THREADS, "both pool threads busy hashing")

    # The loop is free: the other requests of this worker answer while every login hashes.
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get(f"/api/v1/shows/{show.id}/availability")).status_code == 200

    # Past the bounded line: 503 busy with Retry-After at once, not a pile-up.
    extra = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert extra.status_code == 503
    assert extra.json()["error"]["code"] == "busy"
    assert int(extra.headers["Retry-After"]) >= 1

    hasher.gate.set()
    answers = await asyncio.gather(*logins)
    assert [r.status_code for r in answers] == [200] * STORM
    assert passwords.in_flight == 0
    assert hasher.threads and all(name.startswith("argon2") for name in hasher.threads)
    assert threading.main_thread().name not in hasher.threads


async def test_login_page_past_the_line_is_a_503_page_with_retry_after(storm: Any) -> None:
    container, client, hasher = storm
    hasher.gate.clear()
    passwords = container.accounts._passwords  # noqa: SLF001
    logins = [
        asyncio.create_task(container.accounts.login(unique_email(), "wrong password here"))
        for _ in range(STORM)
    ]  # unknown emails wait in the same line (the dummy hash)
    await _until(lambda: passwords.in_flight == STORM, "the line is full")
    page = await client.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = await client.post(
        "/login", data={"csrf": csrf, "email": unique_email(), "password": "x" * 12, "next": "/"},
        headers={"Accept": "text/html"},
    )  # fmt: skip
    assert r.status_code == 503
    assert int(r.headers["Retry-After"]) >= 1
    hasher.gate.set()
    results = await asyncio.gather(*logins, return_exceptions=True)
    assert all(type(e).__name__ == "InvalidCredentials" for e in results)


async def test_a_login_rehashes_a_password_made_with_other_parameters(tmp_path: Path) -> None:
    old = await _container(tmp_path, Passwords(fast_hasher()))
    email = unique_email()
    await old.accounts.register(email, PASSWORD, "Fan")
    await old.close()

    newer = Passwords(PasswordHasher(time_cost=2, memory_cost=512, parallelism=1))
    new = await _container(tmp_path, newer)
    try:
        uow = unit_of_work_factory(new.database)
        async with uow() as u:
            _, before = await u.accounts.by_email(email)
        assert "m=256,t=1" in before
        await new.accounts.login(email, PASSWORD)
        async with uow() as u:
            _, after = await u.accounts.by_email(email)
        assert "m=512,t=2,p=1" in after and not newer.needs_rehash(after)
        await new.accounts.login(email, PASSWORD)  # the upgraded hash still logs in
    finally:
        newer.close()
        await new.close()


def test_default_parameters_are_at_least_owasps_floor() -> None:
    passwords = Passwords(threads=1)
    try:
        assert MEMORY_KIB >= 19 * 1024 and TIME_COST >= 2 and PARALLELISM >= 1
        assert not passwords.needs_rehash(
            PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash("x" * 12)
        )
        assert passwords.needs_rehash(fast_hasher().hash("x" * 12))
    finally:
        passwords.close()


async def test_the_login_and_register_pages_say_the_session_is_long_lived(storm: Any) -> None:
    _, client, _ = storm
    for path in ("/login", "/register"):
        page = await client.get(path)
        assert "logged in on this device for 12 hours" in page.text

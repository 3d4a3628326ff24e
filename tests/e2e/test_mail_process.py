"""The embedded default in a real process: mail goes over SMTP to the mail
catcher the app starts itself (nothing else to run), /mail shows it; and an
order's confirmation, enqueued with the order, is mailed after a SIGKILL that
came before the outbox job could send it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Server
from tests.support import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def server(backend: str, tmp_path: Path, database_url: str) -> Iterator[Server]:
    env = {"BOXOFFICE_DATA_DIR": str(tmp_path / "data"), "BOXOFFICE_OUTBOX_EVERY_SECONDS": "3600"}
    if backend == "postgres":
        env["BOXOFFICE_DATABASE_URL"] = database_url
    s = Server(env, tmp_path / "server.log")
    yield s
    s.stop()


def _login(http: httpx.Client, email: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _wait_for_mail(http: httpx.Client, subject: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = http.get("/mail")
        if page.status_code == 200 and subject in page.text:
            return page.text
        time.sleep(0.3)
    raise AssertionError(f"no mail {subject!r} at /mail")


def test_a_confirmation_is_mailed_after_a_sigkill(server: Server, container: object) -> None:
    # `container` prepares (and afterwards empties) the test database.
    server.cli("create-admin", "boss@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    server.start(timeout=120)  # the outbox job waits an hour before its first round: nothing is sent before the kill
    now = datetime.now(UTC)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        boss = _login(http, "boss@example.com")
        show = http.post("/api/v1/admin/shows", headers=boss, json={
            "name": "Mail Night", "venue": "Arena", "starts_at": (now + timedelta(days=9)).isoformat(),
            "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
            "sale_closes_at": (now + timedelta(days=8)).isoformat(), "timezone": "America/Sao_Paulo",
            "sections": [{"name": "Pista", "kind": "ga", "price_cents": 1000, "capacity": 10}],
        }).json()  # fmt: skip
        assert http.post("/api/v1/auth/register", json={
            "email": "fan@example.com", "password": PASSWORD, "name": "Fan"}).status_code == 202  # fmt: skip
        fan = _login(http, "fan@example.com")
        hold = http.post("/api/v1/holds", headers={**fan, "Idempotency-Key": "h"}, json={
            "show_id": show["id"], "section_id": show["sections"][0]["id"], "quantity": 2}).json()  # fmt: skip
        r = http.post("/api/v1/orders", headers={**fan, "Idempotency-Key": "o"}, json={
            "hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
        assert r.status_code == 201, r.text
        assert "Mail Night" not in http.get("/mail").text  # not sent yet

    server.kill()
    server.env["BOXOFFICE_OUTBOX_EVERY_SECONDS"] = "0.2"
    server.start(timeout=120)

    with httpx.Client(base_url=server.url, timeout=10) as http:
        inbox = _wait_for_mail(http, "Your tickets for Mail Night")
        assert inbox.count("Your tickets for Mail Night") == 1
        assert "Welcome to boxoffice" in _wait_for_mail(http, "Welcome to boxoffice")

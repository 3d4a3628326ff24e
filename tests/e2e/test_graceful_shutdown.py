"""SIGTERM: the app stops accepting, finishes what is in flight, closes its pools."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Server
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


@pytest.fixture
def server(backend: str, tmp_path: Path, database_url: str, container: object) -> Iterator[Server]:
    # `container` prepares (and afterwards empties) the test database.
    env = {"BOXOFFICE_DATA_DIR": str(tmp_path / "data"), "BOXOFFICE_FAKE_PAYMENT_LATENCY_MS": "1500"}
    if backend == "postgres":
        env["BOXOFFICE_DATABASE_URL"] = database_url
    s = Server(env, tmp_path / "server.log")
    yield s
    s.stop()


def test_sigterm_finishes_the_payment_in_flight(server: Server) -> None:
    server.cli("create-admin", "boss@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        boss = _login(http, "boss@example.com")
        show = http.post("/api/v1/admin/shows", headers=boss, json=_show()).json()
        email = unique_email()
        http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "F"})
        fan = _login(http, email)
        hold = http.post("/api/v1/holds", headers=fan, json={
            "show_id": show["id"], "section_id": show["sections"][0]["id"], "quantity": 1,
        }).json()  # fmt: skip

    answer: dict[str, httpx.Response] = {}

    def pay() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as slow:
            answer["order"] = slow.post(
                "/api/v1/orders", headers={**fan, "Idempotency-Key": "graceful"},
                json={"hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}},
            )  # fmt: skip

    paying = threading.Thread(target=pay)
    paying.start()
    _wait_for_pending_order(server, fan)  # in flight: the provider takes 1.5 s to answer
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)
    paying.join(timeout=30)
    assert answer["order"].status_code == 201, answer["order"].text
    # uvicorn re-raises the signal once it has shut down cleanly: -SIGTERM, not a crash.
    assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
    log = server.log.read_text()
    assert "Waiting for application shutdown" in log and "Application shutdown complete" in log

    server.start()  # what was acknowledged is there
    with httpx.Client(base_url=server.url, timeout=10) as http:
        order = http.get(f"/api/v1/orders/{answer['order'].json()['order_id']}", headers=_login(http, email))
    assert order.status_code == 200 and order.json()["status"] == "paid"


def _wait_for_pending_order(server: Server, fan: dict[str, str]) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as http:
        for _ in range(200):
            if any(o["status"] == "pending" for o in http.get("/api/v1/orders", headers=fan).json()):
                return
    raise AssertionError("the order never became pending")


def _login(http: httpx.Client, email: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _show() -> dict[str, object]:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return {
        "name": "Graceful Night", "venue": "Arena", "starts_at": (now + timedelta(days=9)).isoformat(),
        "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
        "sale_closes_at": (now + timedelta(days=8)).isoformat(),
        "per_account_limit": 4, "currency": "BRL",
        "sections": [{"name": "Pista", "kind": "ga", "price_cents": 10000, "capacity": 10}],
    }  # fmt: skip

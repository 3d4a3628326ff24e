"""Invariant 2: an order acknowledged with 201 survives a SIGKILL of the app."""

from __future__ import annotations

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
    env = {"BOXOFFICE_DATA_DIR": str(tmp_path / "data")}
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


def test_paid_order_survives_sigkill(server: Server, container: object) -> None:
    # `container` prepares (and afterwards empties) the test database.
    server.cli("create-admin", "boss@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    now = datetime.now(UTC)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        boss = _login(http, "boss@example.com")
        show = http.post("/api/v1/admin/shows", headers=boss, json={
            "name": "Crash Night", "venue": "Arena", "starts_at": (now + timedelta(days=9)).isoformat(),
            "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
            "sale_closes_at": (now + timedelta(days=8)).isoformat(),
            "sections": [{"name": "Pista", "kind": "ga", "price_cents": 1000, "capacity": 10}],
        }).json()  # fmt: skip
        assert http.post("/api/v1/auth/register", json={
            "email": "fan@example.com", "password": PASSWORD, "name": "Fan"}).status_code == 202  # fmt: skip
        fan = _login(http, "fan@example.com")
        hold = http.post("/api/v1/holds", headers={**fan, "Idempotency-Key": "h"}, json={
            "show_id": show["id"], "section_id": show["sections"][0]["id"], "quantity": 3}).json()  # fmt: skip
        r = http.post("/api/v1/orders", headers={**fan, "Idempotency-Key": "o"}, json={
            "hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
        assert r.status_code == 201
        order = r.json()

    server.kill()
    server.start()

    with httpx.Client(base_url=server.url, timeout=10) as http:
        fan = _login(http, "fan@example.com")
        again = http.get(f"/api/v1/orders/{order['order_id']}", headers=fan).json()
        assert again["status"] == "paid"
        assert [t["code"] for t in again["tickets"]] == [t["code"] for t in order["tickets"]]
        availability = http.get(f"/api/v1/shows/{show['id']}/availability").json()
        assert availability["sections"][0]["available"] == 7
        retried = http.post("/api/v1/orders", headers={**fan, "Idempotency-Key": "o"}, json={
            "hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
        assert retried.status_code == 201 and retried.json()["order_id"] == order["order_id"]

"""The locustfile drives real fan journeys against a real server, headless and bounded."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Server
from tests.support import PASSWORD

LOCUSTFILE = Path(__file__).resolve().parents[2] / "src" / "boxoffice" / "bench" / "locustfile.py"
pytestmark = pytest.mark.slow


def test_locust_journeys_hold_pay_and_fail_nothing(tmp_path: Path) -> None:
    server = Server({"BOXOFFICE_DATA_DIR": str(tmp_path / "data"), "BOXOFFICE_IP_RATE": "100000/minute"},
                    tmp_path / "server.log")  # fmt: skip
    server.cli("create-admin", "boss@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    try:
        now = datetime.now(UTC)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            token = http.post("/api/v1/auth/login", json={"email": "boss@example.com", "password": PASSWORD}).json()["token"]
            http.cookies.clear()
            r = http.post("/api/v1/admin/shows", headers={"Authorization": f"Bearer {token}"}, json={
                "name": "Locust Night", "venue": "Arena", "starts_at": (now + timedelta(days=9)).isoformat(),
                "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
                "sale_closes_at": (now + timedelta(days=8)).isoformat(), "per_account_limit": 4,
                "sections": [{"name": "Pista", "kind": "ga", "price_cents": 1000, "capacity": 30}],
            })  # fmt: skip
            assert r.status_code == 201, r.text
        done = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", server.url, "--headless",
             "-u", "6", "-r", "6", "-t", "5s", "--only-summary", "--csv", str(tmp_path / "run")],
            capture_output=True, text=True, timeout=90,
        )  # fmt: skip
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with (tmp_path / "run_stats.csv").open() as f:
        stats = {(row["Type"], row["Name"]): row for row in csv.DictReader(f)}
    assert int(stats[("POST", "/api/v1/holds")]["Request Count"]) > 0
    assert int(stats[("POST", "/api/v1/orders")]["Request Count"]) > 0
    assert int(stats[("", "Aggregated")]["Failure Count"]) == 0

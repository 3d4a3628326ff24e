"""Metrics from several worker processes add up, whichever worker is scraped."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.server import Server

pytestmark = pytest.mark.slow


def _healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "boxoffice_http_requests_total" and s.labels == {
                "method": "GET", "route": "/healthz", "status": "200"
            }:  # fmt: skip
                return s.value
    return 0.0


def test_two_workers_share_their_counts(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {"BOXOFFICE_DATA_DIR": str(tmp_path / "data"), "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    server = Server(env, tmp_path / "server.log")
    try:
        server.start(workers=2)
        for _ in range(40):  # a new connection each time, so both workers take some
            assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        counts = {_healthz_count(httpx.get(f"{server.url}/metrics", timeout=5).text) for _ in range(6)}
    finally:
        server.stop()
    # start() polled /readyz, not /healthz: exactly our 40, from every scrape.
    assert counts == {40.0}
    pids = {p.stem.rsplit("_", 1)[-1] for p in shared.glob("counter_*.db")}
    assert len(pids) >= 2, sorted(shared.iterdir())

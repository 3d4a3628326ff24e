"""/metrics tells revenue per show: behind BOXOFFICE_METRICS_TOKEN, which
production settings require. (Issue 17, finding 7.)"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.settings import Settings
from tests.security.conftest import app_with

TOKEN = "scrape-token-0123456789abcdef"
SECRET = "a-production-secret-key-of-48-characters-0123456"


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_metrics_answer_only_the_scraper_with_the_token(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    async with app_with(tmp_path, database_url, clock, metrics_token=TOKEN) as (_, _app, client_from):
        client = client_from("203.0.113.9")
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            r = await client.get("/metrics", headers=headers)
            assert r.status_code == 401 and "boxoffice_" not in r.text
            assert r.headers["www-authenticate"].startswith("Bearer")
        r = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "boxoffice_http_requests" in r.text


async def test_development_leaves_metrics_open(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 200


def test_production_refuses_to_start_without_a_metrics_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOXOFFICE_METRICS_TOKEN", "BOXOFFICE_METRICS_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="BOXOFFICE_METRICS_TOKEN"):
        Settings(env="production", secret_key=SECRET)
    with pytest.raises(ValidationError, match="BOXOFFICE_METRICS_TOKEN"):
        Settings(env="production", secret_key=SECRET, metrics_token="changeme")
    assert Settings(env="production", secret_key=SECRET, metrics_token=TOKEN).metrics_token
    assert Settings(env="production", secret_key=SECRET, metrics_enabled=False).metrics_token is None

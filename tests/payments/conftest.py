"""Fixtures for asynchronous payments: the fake Pix provider process (one per
test module, on a free port) and a shop wired to it, served on a real port
(SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.conftest import fresh_container
from tests.e2e.server import free_port
from tests.payments.provider import API_KEY, WEBHOOK_SECRET, PixProvider, serving
from tests.support import Fan, settings_for, show_spec, sign_up


@pytest.fixture(scope="module")
def pix_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PixProvider]:
    provider = PixProvider(tmp_path_factory.mktemp("pix") / "provider.log")
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def shop_port() -> int:
    return free_port()


@pytest.fixture
async def container(
    database_url: str, tmp_path: Path, clock: FakeClock, pix_provider: PixProvider, shop_port: int
) -> AsyncIterator[Container]:
    """The shop's container with Pix on (overrides the top-level fixture here)."""
    settings = settings_for(
        tmp_path, database_url, pix_provider_url=pix_provider.url, pix_api_key=API_KEY,
        pix_webhook_secret=WEBHOOK_SECRET, pix_payment_minutes=15, pix_reconcile_after_seconds=60,
        pix_notify_url=f"http://127.0.0.1:{shop_port}/api/v1/payments/pix/webhook",
    )  # fmt: skip
    async with fresh_container(settings, clock) as c:
        yield c


@pytest.fixture
async def shop(container: Container, shop_port: int) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(container, shop_port) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield client


@pytest.fixture
async def bank(pix_provider: PixProvider) -> AsyncIterator[httpx.AsyncClient]:
    async with pix_provider.client() as client:
        yield client


@pytest.fixture
async def small_show(container: Container) -> Show:
    return await container.inventory.create_show(show_spec(ga_capacity=1))


@pytest.fixture
async def fan(shop: httpx.AsyncClient) -> Fan:
    return await sign_up(shop)

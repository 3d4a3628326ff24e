"""A real server (SQLite) and Debian's chromium driven by Playwright.

Chromium comes from `apt-get install -y chromium` (never a browser download);
in CI its absence fails these tests, elsewhere it skips them. Screenshots of
the main pages at desktop and phone width go to artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.server import Server
from tests.support import PASSWORD, require_tool

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BOSS = "boss@example.com"


def start_server(folder: Path, **env: str) -> Server:
    server = Server({"BOXOFFICE_DATA_DIR": str(folder), **env}, folder / "server.log")
    server.cli("create-admin", BOSS, "--password-stdin", stdin=PASSWORD + "\n")
    server.start(timeout=120)  # generous: a busy CI machine starts slowly
    return server


def create_show(server: Server, name: str = "Browser Night", ga: int = 50, rows: int = 3, per_row: int = 8) -> dict[str, Any]:
    now = datetime.now(UTC)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"email": BOSS, "password": PASSWORD}).json()["token"]
        http.cookies.clear()
        r = http.post("/api/v1/admin/shows", headers={"Authorization": f"Bearer {token}"}, json={
            "name": name, "venue": "Arena Teste", "starts_at": (now + timedelta(days=20)).isoformat(),
            "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
            "sale_closes_at": (now + timedelta(days=19)).isoformat(), "per_account_limit": 4, "currency": "BRL",
            "sections": [
                {"name": "Pista", "kind": "ga", "price_cents": 25000, "capacity": ga},
                {"name": "Cadeira Superior", "kind": "seated", "price_cents": 18000,
                 "rows": [{"label": chr(65 + r), "seats": per_row} for r in range(rows)]},
            ],
        })  # fmt: skip
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API runs an event loop of its own while
    it is open, and the asyncio tests that come after need the thread back."""
    chromium = require_tool("chromium", "apt-get install -y chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_server(tmp_path_factory.mktemp("browser"))
    yield s
    s.stop()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-US")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def shoot(page: Page, name: str) -> None:
    """Save the page at desktop and phone width (for people to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= viewport["width"], f"{name} is {overflow}px wide at {label} width"
    if size:
        page.set_viewport_size(size)


def register(page: Page, email: str, name: str = "Fã Teste") -> None:
    page.goto("/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/login?registered=1*")  # the same answer for a taken email
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form.stack").get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("form.stack").get_by_role("button", name="Log in").click()

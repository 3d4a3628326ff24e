"""Helpers for the shop's browser tests: phone contexts, shows made over the
API, the phone screenshots of the main journey, and axe-core."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import ARTIFACTS, BOSS, PHONE
from tests.e2e.server import Server
from tests.support import IN_CI, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "docs" / "screens"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_installed() -> bool:
    """axe-core comes from npm (`npm ci` at the repository root; .ci/run does it):
    in CI its absence fails the test, elsewhere skips it, like a missing tool."""
    if AXE.exists():
        return True
    message = "axe-core is missing: run `npm ci` at the repository root (.ci/run does)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def phone(browser: Browser, server: Server, **options: Any) -> BrowserContext:
    ctx = browser.new_context(base_url=server.url, viewport=PHONE, locale="en-US", has_touch=True,
                              timezone_id="America/Sao_Paulo", **options)  # fmt: skip
    ctx.set_default_timeout(15_000)
    return ctx


def organiser_token(server: Server) -> str:
    r = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": BOSS, "password": PASSWORD}, timeout=10)
    return str(r.json()["token"])


def make_show(server: Server, name: str, *, opens_in: timedelta = -timedelta(hours=1), rows: int = 3,
              per_row: int = 8, ga: int = 50, limit: int = 4, room: bool = False) -> dict[str, Any]:  # fmt: skip
    now = datetime.now(UTC)
    auth = {"Authorization": f"Bearer {organiser_token(server)}"}
    with httpx.Client(base_url=server.url, timeout=10, headers=auth) as http:
        r = http.post("/api/v1/admin/shows", json={
            "name": name, "venue": "Allianz Parque, São Paulo", "timezone": "America/Sao_Paulo",
            "starts_at": (now + timedelta(days=20)).isoformat(), "sale_opens_at": (now + opens_in).isoformat(),
            "sale_closes_at": (now + timedelta(days=19)).isoformat(), "per_account_limit": limit, "currency": "BRL",
            "sections": [
                {"name": "Pista", "kind": "ga", "price_cents": 25000, "capacity": ga},
                {"name": "Cadeira Superior", "kind": "seated", "price_cents": 18000,
                 "rows": [{"label": chr(65 + r), "seats": per_row} for r in range(rows)]},
            ],
        })  # fmt: skip
        assert r.status_code == 201, r.text
        if room:
            opens = min(now - timedelta(minutes=5), now + opens_in)
            w = http.put(f"/api/v1/admin/shows/{r.json()['id']}/waiting-room",
                         json={"enabled": True, "opens_at": opens.isoformat(), "admit_per_minute": 60})  # fmt: skip
            assert w.status_code == 200, w.text
        return r.json()  # type: ignore[no-any-return]


def screen(page: Page, name: str) -> None:
    """A phone screenshot of the main journey: artifacts/ always; docs/screens/
    too with BOXOFFICE_UPDATE_SCREENS=1 (how docs/screens.md is refreshed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)
    if os.environ.get("BOXOFFICE_UPDATE_SCREENS") == "1":
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (page.viewport_size or PHONE)["width"], f"{name} is {width}px wide"


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe-core (WCAG 2 A/AA) violations on the page as it is now."""
    axe_installed()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(found)

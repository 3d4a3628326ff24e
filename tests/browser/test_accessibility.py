"""axe-core (npm, pinned in package.json; run inside chromium through
Playwright) on every page at 375 and 1366 px: no serious or critical
violations of WCAG 2 A/AA."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BOSS, log_in, register
from tests.browser.shop import axe_installed, axe_problems, make_show
from tests.e2e.server import Server
from tests.support import require_tool, unique_email

pytestmark = pytest.mark.slow
WIDTHS = (375, 1366)


def _check(page: Page, paths: list[str], width: int) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("domcontentloaded")
        problems = axe_problems(page)
        if problems:
            found[f"{path} @ {width}px"] = problems
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_fan_pages_have_no_serious_accessibility_problems(browser: Browser, server: Server, width: int) -> None:
    require_tool("npm", "apt-get install -y npm")
    axe_installed()
    show = make_show(server, f"Noite Acessível {width}", room=False)
    ga, seated = show["sections"][0]["id"], show["sections"][1]["id"]
    ctx = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        page = ctx.new_page()
        problems = _check(page, ["/", "/login", "/register", f"/shows/{show['id']}", "/shows/nope"], width)
        register(page, unique_email())
        problems |= _check(page, [f"/shows/{show['id']}/sections/{ga}", f"/shows/{show['id']}/sections/{seated}"], width)
        page.goto(f"/shows/{show['id']}/sections/{ga}")
        page.get_by_role("button", name="Hold these tickets").click()
        expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
        checkout = page.url.removeprefix(server.url)
        page.get_by_label("Card that is declined").check()
        page.get_by_role("button", name=re.compile("^Pay")).click()
        expect(page.locator("#pay-error")).to_be_visible()
        problems |= _check(page, [checkout + "?error=payment_declined"], width)
        page.goto(checkout)
        page.get_by_role("button", name=re.compile("^Pay")).click()
        expect(page.get_by_role("heading", name="Thank you! Here are your tickets.")).to_be_visible()
        order = page.url.removeprefix(server.url)
        code = page.locator(".ticket code").first.inner_text()
        problems |= _check(page, [order, "/my/tickets", checkout, f"/my/tickets/{code}", "/my/notifications",
                                  f"/shows/{show['id']}/resale", f"/shows/{show['id']}/waitlist",
                                  f"/orders/{order.rsplit('/', 1)[-1]}/refund"], width)  # fmt: skip
    finally:
        ctx.close()
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_waiting_room_and_organiser_pages_have_no_serious_accessibility_problems(
    browser: Browser, server: Server, width: int
) -> None:
    show = make_show(server, f"Noite da Fila Acessível {width}", room=True)
    ctx = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        page = ctx.new_page()
        register(page, unique_email())
        problems = _check(page, [f"/shows/{show['id']}/queue"], width)
        page.goto(f"/shows/{show['id']}/queue")
        page.get_by_role("button", name="Join the waiting room").click()
        problems |= _check(page, [f"/shows/{show['id']}/queue", f"/shows/{show['id']}"], width)
        page.context.clear_cookies()
        log_in(page, BOSS)
        page.wait_for_url("**/")
        sid = show["id"]
        problems |= _check(page, ["/admin", "/admin/shows/new", f"/admin/shows/{sid}", f"/admin/shows/{sid}/edit",
                                  f"/admin/shows/{sid}/sections", f"/admin/shows/{sid}/after-sale",
                                  "/admin/checkin"], width)  # fmt: skip
        page.goto("/admin/shows/new")
        page.get_by_role("button", name="Create the show").click()  # an empty form: every error shown
        expect(page.locator("#form-problems")).to_be_visible()
        problems |= {f"form errors @ {width}px": axe_problems(page)} if axe_problems(page) else {}
    finally:
        ctx.close()
    assert problems == {}

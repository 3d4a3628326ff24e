"""An organiser in a real browser: create a show, watch it sell, check tickets in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BOSS, DESKTOP, log_in, register, shoot
from tests.e2e.server import Server
from tests.support import unique_email

pytestmark = pytest.mark.slow


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_organiser_creates_a_show_and_sees_it_sold(page: Page, browser: Browser, server: Server) -> None:
    log_in(page, BOSS)
    page.get_by_role("link", name="Organiser").click()
    page.get_by_role("link", name="Create a show").click()
    now = datetime.now(UTC).astimezone(ZoneInfo("America/Sao_Paulo"))  # organisers enter venue times
    page.get_by_label("Venue time zone").fill("America/Sao_Paulo")
    page.get_by_label("Name", exact=True).first.fill("Festival do Organizador")
    page.get_by_label("Venue", exact=True).fill("Allianz Parque")
    page.get_by_label("Show starts (venue time)").fill(_local(now + timedelta(days=30)))
    page.get_by_label("Sale opens (venue time)").fill(_local(now - timedelta(hours=1)))
    page.get_by_label("Sale closes (venue time)").fill(_local(now + timedelta(days=29)))
    page.locator("#section-0-name").fill("Pista Premium")
    page.locator("#section-0-price").fill("350.00")
    page.locator("#section-0-capacity").fill("30")
    page.locator("#section-1-name").fill("Cadeira")
    page.locator("#section-1-kind").select_option("seated")
    page.locator("#section-1-price").fill("200")
    page.locator("#section-1-rows").fill("2")
    page.locator("#section-1-seats").fill("5")
    shoot(page, "admin-new-show")
    page.get_by_role("button", name="Create the show").click()

    expect(page.get_by_role("heading", name=re.compile("Live sales"))).to_be_visible()
    live = page.locator("#live-table")
    expect(live.get_by_role("row", name=re.compile("Pista Premium"))).to_contain_text("0")
    show_url = page.get_by_role("link", name="Public page").get_attribute("href")

    fan_ctx = browser.new_context(base_url=server.url, viewport=DESKTOP)
    try:
        fan = fan_ctx.new_page()
        register(fan, unique_email())
        fan.goto(show_url or "/")
        fan.get_by_role("row", name=re.compile("Pista Premium")).get_by_role("link", name="Choose").click()
        fan.get_by_label("How many tickets?").select_option("3")
        fan.get_by_role("button", name="Hold these tickets").click()
        fan.get_by_role("button", name=re.compile("^Pay")).click()
        code = fan.locator(".ticket code").first.inner_text()
    finally:
        fan_ctx.close()

    # The live view refreshes by itself (every 5 s): sold 3, revenue R$ 1.050,00.
    row = page.locator("#live-table").get_by_role("row", name=re.compile("Pista Premium"))
    expect(row.locator(".sold")).to_have_text("3", timeout=25_000)  # generous: CI machines are busy
    expect(row.locator(".available")).to_have_text("27")
    expect(page.locator("#revenue")).to_contain_text("1,050.00")
    expect(page.locator(".meters .meter-count").last).to_have_text("1")
    shoot(page, "admin-live")

    page.goto("/admin/checkin")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#checkin-result")).to_contain_text("Welcome in!")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#checkin-result")).to_have_text("Already used: this ticket was checked in before.")
    shoot(page, "admin-checkin")


def test_a_fan_cannot_open_organiser_pages(page: Page) -> None:
    register(page, unique_email())
    page.goto("/admin/shows/new")
    expect(page.get_by_role("alert")).to_have_text("Only organisers can do this.")

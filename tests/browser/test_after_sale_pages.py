"""After the sale in a real browser: a fan gives a ticket to a friend, lists
one for resale and another fan buys it; a sold-out show's waiting list; the
notifications list; the organiser's after-sale page and the rotating QR."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BOSS, create_show, log_in, register, shoot
from tests.e2e.server import Server
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


def api_buy(server: Server, email: str, show: dict[str, Any], quantity: int) -> list[str]:
    """Register (if needed), hold and pay through the API; the tickets' codes."""
    with httpx.Client(base_url=server.url, timeout=10) as http:
        http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Fã API"})
        token = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
        http.cookies.clear()
        auth = {"Authorization": f"Bearer {token}"}
        hold = http.post("/api/v1/holds", headers={**auth, "Idempotency-Key": f"h-{email}"},
                         json={"show_id": show["id"], "section_id": show["sections"][0]["id"], "quantity": quantity})
        assert hold.status_code == 201, hold.text
        order = http.post("/api/v1/orders", headers={**auth, "Idempotency-Key": f"o-{email}"},
                          json={"hold_id": hold.json()["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})
        assert order.status_code == 201, order.text
        return [t["code"] for t in order.json()["tickets"]]


def test_fan_transfers_and_resells_tickets(page: Page, server: Server) -> None:
    show = create_show(server, "Noite da Revenda")
    seller, friend, buyer = unique_email(), unique_email(), unique_email()
    codes = api_buy(server, seller, show, 2)
    register(page, friend, "Amiga")
    page.context.clear_cookies()

    log_in(page, seller)
    page.goto("/my/tickets")
    page.get_by_role("link", name="Show, transfer or resell").first.click()
    expect(page.get_by_role("heading", name="Your ticket")).to_be_visible()
    expect(page.locator("#live-qr")).to_be_visible()
    shoot(page, "after-sale-ticket")
    page.get_by_label("Their account email").fill(friend)
    page.get_by_role("button", name="Transfer").click()
    page.wait_for_url("**/my/tickets?done=transferred")
    expect(page.locator(".status-void")).to_have_count(1)

    page.get_by_role("link", name="Show, transfer or resell").first.click()
    page.get_by_label("Price").fill("250.00")
    page.get_by_role("button", name="List for resale").click()
    expect(page.locator("#ticket-status")).to_have_text("listed")
    page.context.clear_cookies()

    register(page, buyer, "Compradora")
    page.goto(f"/shows/{show['id']}")
    page.get_by_role("link", name="Resale tickets").click()
    shoot(page, "after-sale-resale")
    page.get_by_role("button", name="Buy (test card)").click()
    expect(page.locator(".ticket")).to_have_count(1)
    page.goto(f"/shows/{show['id']}/resale")
    expect(page.locator("#no-resale")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, friend)
    page.goto("/my/tickets")
    expect(page.locator("#received-tickets")).to_contain_text("Noite da Revenda")
    page.goto("/my/notifications")
    expect(page.locator("[data-kind=transfer_in]")).to_contain_text("sent you a ticket for Noite da Revenda")
    shoot(page, "after-sale-notifications")
    page.context.clear_cookies()
    log_in(page, seller)
    page.goto("/my/notifications")
    expect(page.locator("[data-kind=resale_sold]")).to_be_visible()
    assert codes  # both of the seller's codes are now void


def test_waiting_list_and_organiser_page(page: Page, server: Server) -> None:
    show = create_show(server, "Noite Esgotada", ga=2)
    first = unique_email()
    api_buy(server, first, show, 2)  # sold out
    register(page, unique_email(), "Na Fila")
    page.goto(f"/shows/{show['id']}")
    page.get_by_role("link", name="Waiting list").click()
    page.get_by_label("Tickets").fill("1")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("#waitlist-place")).to_contain_text("1")
    shoot(page, "after-sale-waitlist")
    page.context.clear_cookies()

    log_in(page, BOSS)
    page.goto(f"/admin/shows/{show['id']}/after-sale")
    expect(page.locator("#waitlist-figures")).to_contain_text("Pista")
    page.get_by_label(re.compile("Rotating ticket codes")).check()
    page.get_by_label("Minutes a waiting-list offer lasts").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#admin-done")).to_be_visible()
    expect(page.get_by_label(re.compile("Rotating ticket codes"))).to_be_checked()
    shoot(page, "after-sale-admin")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        http.post("/api/v1/auth/login", json={"email": first, "password": PASSWORD})
        order_id = http.get("/api/v1/orders").json()[0]["order_id"]
    page.get_by_label("Order id").fill(order_id)
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.locator("#admin-done")).to_be_visible()
    expect(page.locator("#waitlist-figures")).to_contain_text("1")  # the waiting fan got an offer

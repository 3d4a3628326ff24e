"""The shop on a phone first: the main journey (screenshots for docs/screens.md),
Back after paying, the seat map's touch targets, a purchase by keyboard alone,
the waiting room before the sale, and login that returns where the fan was going."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import register
from tests.browser.shop import make_show, phone, screen
from tests.e2e.server import Server
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


def test_main_journey_on_a_phone_and_back_after_paying(browser: Browser, server: Server) -> None:
    show = make_show(server, "Noite no Celular", rows=12, per_row=30)
    ctx = phone(browser, server)
    blocked: list[str] = []  # the Content-Security-Policy allows no inline script or style: nothing may be refused
    try:
        page = ctx.new_page()
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/")
        screen(page, "01-home")
        register(page, unique_email())
        page.goto(f"/shows/{show['id']}")
        expect(page.locator("svg.plan .block")).to_have_count(2)  # the venue overview
        screen(page, "02-show")
        # A tap on the block's name (the block's own middle is the bowl's hollow).
        page.locator("svg.plan a[aria-label^='Cadeira Superior'] text").click(force=True)
        expect(page.get_by_role("heading", name="Cadeira Superior")).to_be_visible()
        for seat in ("F-15", "F-16"):
            page.locator("svg.seatmap circle.free", has=page.locator(f"title:text-is('{seat}')")).tap()
        expect(page.locator("#pick-summary")).to_contain_text("2 of 4 seats picked")
        expect(page.locator("#pick-total")).to_have_text(re.compile(r"R\$\s?360\.00"))
        screen(page, "03-seat-map")
        page.get_by_role("button", name="Hold these tickets").click()

        expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
        expect(page.locator(".summary")).to_contain_text("F-15, F-16")
        screen(page, "04-checkout")
        checkout_url = page.url
        # Pay: one click turns the button into a disabled spinner (the answer is held back here).
        page.evaluate("document.getElementById('pay').addEventListener('submit', e => e.preventDefault())")
        pay = page.get_by_role("button", name=re.compile("^Pay"))
        pay.click()
        expect(page.locator("#pay button[type=submit]")).to_be_disabled()
        expect(page.locator("#pay .spinner")).to_be_visible()
        page.reload()
        page.get_by_role("button", name=re.compile("^Pay")).click()

        expect(page.get_by_role("heading", name="Thank you! Here are your tickets.")).to_be_visible()
        ticket = page.locator(".ticket").first
        expect(ticket.locator("dd").nth(3)).to_have_text("F-15")
        expect(ticket).to_contain_text("Allianz Parque")
        expect(ticket).to_contain_text("Fã Teste")
        expect(ticket).to_contain_text("BX-")
        qr = ticket.locator(".qr img").bounding_box()
        assert qr is not None and qr["width"] >= 260  # a large QR, one ticket per screen
        screen(page, "05-tickets")

        page.go_back()  # Back after paying: never a payable checkout
        expect(page).to_have_url(re.compile(r"/orders/"))
        expect(page.locator("#pay")).to_have_count(0)
        page.goto(checkout_url)
        expect(page).to_have_url(re.compile(r"/orders/"))
        expect(page.locator("#pay")).to_have_count(0)
        assert blocked == []
    finally:
        ctx.close()


def test_seat_targets_are_32px_on_a_phone_with_labels_clear_and_a_stage(browser: Browser, server: Server) -> None:
    show = make_show(server, "Noite dos Alvos", rows=20, per_row=40)
    ctx = phone(browser, server)
    try:
        page = ctx.new_page()
        register(page, unique_email())
        page.goto(f"/shows/{show['id']}/sections/{show['sections'][1]['id']}")
        seat = page.locator("svg.seatmap circle.seat").first.bounding_box()
        assert seat is not None and seat["width"] >= 32 and seat["height"] >= 32, seat
        label = page.locator("svg.seatmap .row-label").first.bounding_box()
        first = page.locator("svg.seatmap circle.seat").first.bounding_box()
        assert label is not None and first is not None and label["x"] + label["width"] < first["x"]
        expect(page.locator("svg.seatmap .stage-label")).to_have_text("STAGE")
        # The 800-seat list stays folded away: the page is not metres long.
        expect(page.locator("details.seatlist")).not_to_have_attribute("open", "")
        assert page.evaluate("document.documentElement.scrollHeight") < 2600
        page.get_by_role("button", name="Zoom out").click()
        smaller = page.locator("svg.seatmap circle.seat").first.bounding_box()
        assert smaller is not None and smaller["width"] < seat["width"]
    finally:
        ctx.close()


def test_a_purchase_by_keyboard_alone(page: Page, server: Server) -> None:
    show = make_show(server, "Noite do Teclado")
    register(page, unique_email())
    page.goto(f"/shows/{show['id']}")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(f'a.btn[href$="{show["sections"][1]["id"]}"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cadeira Superior")).to_be_visible()
    tab_to("details.seatlist summary")
    page.keyboard.press("Enter")  # the list view
    tab_to('input[name="seat"]:not([disabled])')
    page.keyboard.press("Space")
    expect(page.locator("#pick-summary")).to_contain_text("1 of 4 seats picked")
    tab_to("#pick button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    tab_to("#pay button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you! Here are your tickets.")).to_be_visible()
    expect(page.locator(".ticket")).to_have_count(1)


def test_the_waiting_room_before_the_sale_counts_down(browser: Browser, server: Server) -> None:
    show = make_show(server, "Noite da Espera", opens_in=timedelta(hours=2), room=True)
    ctx = phone(browser, server)
    try:
        page = ctx.new_page()
        register(page, unique_email())
        page.goto(f"/shows/{show['id']}")
        expect(page.locator("#sale-state .countdown")).to_have_text(re.compile(r"^1:5\d:\d\d$"))
        page.get_by_role("button", name="Join the waiting room").click()
        expect(page.locator("#queue .countdown")).to_have_text(re.compile(r"^1:5\d:\d\d$"))
        screen(page, "06-waiting-room")
        page.goto(f"/shows/{show['id']}")
        expect(page.locator("#turn")).to_contain_text("You are in the waiting room.")
        expect(page.get_by_role("button", name="Join the waiting room")).to_have_count(0)
    finally:
        ctx.close()


def test_login_returns_where_the_fan_was_going(page: Page, server: Server) -> None:
    show = make_show(server, "Noite da Volta")
    email = unique_email()
    register(page, email)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"/shows/{show['id']}")
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form.stack").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(f"/shows/{show['id']}$"))
    page.goto(f"/shows/{show['id']}/sections/{show['sections'][0]['id']}")
    expect(page.get_by_role("heading", name="Pista")).to_be_visible()

"""A fan in a real browser: register, log in, pick, pay, see tickets; and the
moments that go wrong (wrong password, declined payment, an expired hold)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BOSS, DESKTOP, PHONE, create_show, log_in, register, shoot, start_server
from tests.e2e.server import Server
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


def test_fan_buys_general_admission_and_gets_qr_tickets(page: Page, server: Server) -> None:
    show = create_show(server, "Noite da Pista")
    page.goto("/")
    shoot(page, "home")
    register(page, unique_email())
    expect(page.get_by_role("link", name="My tickets")).to_be_visible()

    page.get_by_role("link", name="Noite da Pista").click()
    expect(page.get_by_role("heading", name="Noite da Pista")).to_be_visible()
    pista = page.get_by_role("row", name=re.compile("Pista"))
    expect(pista).to_contain_text("50")
    shoot(page, "show")
    pista.get_by_role("link", name="Choose").click()
    page.get_by_label("How many tickets?").select_option("2")
    shoot(page, "picker-ga")
    page.get_by_role("button", name="Hold these tickets").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.locator("#hold-timer")).to_contain_text(re.compile(r"\d+:\d\d"))
    shoot(page, "checkout")
    page.get_by_role("button", name=re.compile("^Pay")).click()

    expect(page.get_by_role("heading", name="Thank you! Here are your tickets.")).to_be_visible()
    qr = page.locator(".ticket img")
    expect(qr).to_have_count(2)
    assert qr.first.get_attribute("src").startswith("data:image/svg+xml")  # type: ignore[union-attr]
    codes = page.locator(".ticket code").all_inner_texts()
    assert len(set(codes)) == 2
    shoot(page, "order")
    page.get_by_role("link", name="My tickets").first.click()
    expect(page.locator(".ticket code")).to_have_text(codes)
    shoot(page, "my-tickets")

    page.goto(f"/shows/{show['id']}")  # availability counts the sale
    expect(page.get_by_role("row", name=re.compile("Pista"))).to_contain_text("48")


def test_fan_picks_seats_on_the_map(page: Page, server: Server) -> None:
    show = create_show(server, "Noite das Cadeiras")
    register(page, unique_email())
    page.goto(f"/shows/{show['id']}")
    page.get_by_role("row", name=re.compile("Cadeira Superior")).get_by_role("link", name="Choose").click()
    for seat in ("B-3", "B-4"):
        page.locator("svg.seatmap circle.free", has=page.locator(f"title:text-is('{seat}')")).click()
    expect(page.locator("svg.seatmap circle.picked")).to_have_count(2)
    expect(page.get_by_label("B-3")).to_be_checked()
    shoot(page, "picker-seats")
    page.get_by_role("button", name="Hold these tickets").click()
    expect(page.locator(".facts")).to_contain_text("B-3, B-4")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.locator(".ticket")).to_have_count(2)
    expect(page.locator(".ticket-strip")).to_contain_text("B-3")

    page.goto(f"/shows/{show['id']}/sections/{show['sections'][1]['id']}")
    sold = page.locator("svg.seatmap circle.sold title")
    expect(sold).to_have_text(["B-3", "B-4"])
    expect(page.get_by_label("B-4")).to_be_disabled()


def test_declined_payment_keeps_the_hold(page: Page, server: Server) -> None:
    show = create_show(server, "Noite Recusada")
    register(page, unique_email())
    page.goto(f"/shows/{show['id']}/sections/{show['sections'][0]['id']}")
    page.get_by_role("button", name="Hold these tickets").click()
    page.get_by_label("Card that is declined").check()
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.get_by_role("alert")).to_have_text(
        "The payment was declined. Your tickets are still held: try again."
    )
    expect(page.locator("#hold-timer")).to_be_visible()
    shoot(page, "checkout-declined")
    page.get_by_label("Card that pays").check()
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.locator(".ticket")).to_have_count(1)


def test_wrong_password_is_explained_the_same_as_an_unknown_email(page: Page, server: Server) -> None:
    email = unique_email()
    register(page, email)
    page.get_by_role("button", name="Log out").click()
    for who in (email, unique_email()):
        log_in(page, who, "not the password at all")
        expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
        expect(page.get_by_label("Email")).to_have_value(who)
    shoot(page, "login-wrong-password")
    log_in(page, email)
    expect(page.get_by_role("link", name="My tickets")).to_be_visible()


def test_registration_errors_a_person_can_act_on(page: Page, server: Server) -> None:
    email = unique_email()
    register(page, email)
    page.get_by_role("button", name="Log out").click()
    page.goto("/register")
    page.get_by_label("Name").fill("Outra")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("another good password")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("If this email is new")  # says nothing of who has an account
    page.goto("/register")
    page.get_by_label("Name").fill("Outra")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("stronger password")


def test_pages_speak_portuguese(browser: Browser, server: Server) -> None:
    ctx = browser.new_context(base_url=server.url, viewport=PHONE, locale="pt-BR",
                              extra_http_headers={"Accept-Language": "pt-BR,pt;q=0.9"})  # fmt: skip
    try:
        page = ctx.new_page()
        create_show(server, "Show em Português")
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Próximos shows")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("link", name="English", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming shows")
        page.get_by_role("link", name="Português", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Próximos shows")
        shoot(page, "home-pt-BR")
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Holds that live 3 seconds, so a person can watch one expire."""
    s = start_server(tmp_path_factory.mktemp("quick"), BOXOFFICE_HOLD_MINUTES="0.05")
    yield s
    s.stop()


def test_hold_expiry_is_shown(browser: Browser, quick_server: Server, tmp_path: Path) -> None:
    ctx = browser.new_context(base_url=quick_server.url, viewport=DESKTOP)
    try:
        page = ctx.new_page()
        show = create_show(quick_server, "Noite Relâmpago")
        register(page, unique_email())
        page.goto(f"/shows/{show['id']}/sections/{show['sections'][0]['id']}")
        page.get_by_role("button", name="Hold these tickets").click()
        expect(page.locator("#hold-expired")).to_be_visible(timeout=10_000)  # the countdown ran out
        expect(page.locator("#pay button")).to_be_disabled()
        shoot(page, "checkout-expired")
        page.reload()  # and the server agrees
        expect(page.get_by_role("alert")).to_have_text("Your hold expired and the tickets went back on sale.")
        expect(page.locator("#pay")).to_have_count(0)
    finally:
        ctx.close()


def test_waiting_room_lets_the_fan_through_to_buy(page: Page, server: Server) -> None:
    show = create_show(server, "Noite da Fila")
    token = _organiser_token(server)
    now = datetime.now(UTC)
    r = httpx.put(f"{server.url}/api/v1/admin/shows/{show['id']}/waiting-room", headers={"Authorization": f"Bearer {token}"},
                  json={"enabled": True, "opens_at": (now - timedelta(hours=2)).isoformat(), "admit_per_minute": 60})  # fmt: skip
    assert r.status_code == 200, r.text
    register(page, unique_email())
    page.goto(f"/shows/{show['id']}")
    page.goto(f"/shows/{show['id']}/sections/{show['sections'][0]['id']}")  # straight to the picker: refused
    page.get_by_role("button", name="Hold these tickets").click()
    expect(page.get_by_role("alert")).to_contain_text("Join the waiting room first: it is your turn when it says so.")
    expect(page.get_by_role("alert").get_by_role("link", name="Go to the waiting room")).to_be_visible()

    page.goto(f"/shows/{show['id']}")
    page.get_by_role("button", name="Join the waiting room").click()
    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()
    shoot(page, "waiting-room")
    # The admitter (a background job, every second) lets the fan in; the page notices by itself.
    expect(page.locator("#queue-status")).to_have_text("It is your turn! Pick your tickets now.", timeout=15_000)
    page.get_by_role("link", name="Pick your tickets").click()
    expect(page.locator("#turn")).to_have_text("It is your turn! Pick your tickets now.")  # not "Join" again
    page.get_by_role("row", name=re.compile("Pista")).get_by_role("link", name="Choose").click()
    page.get_by_role("button", name="Hold these tickets").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()


def _organiser_token(server: Server) -> str:
    r = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": BOSS, "password": PASSWORD})
    return str(r.json()["token"])

"""Pix in a real browser: the fan picks Pix at checkout, sees the QR code and
the copy-and-paste code, approves on the fake provider's page (its own
process) and the shop's page moves on by itself to the tickets; the presale
page in Portuguese."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from boxoffice.payments.brcode import is_valid
from tests.browser.conftest import BOSS, DESKTOP, create_show, register, shoot
from tests.e2e.server import Server
from tests.payments.provider import API_KEY, WEBHOOK_SECRET, PixProvider
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("pix-browser")
    provider = PixProvider(folder / "provider.log")
    provider.start()
    server = Server({"BOXOFFICE_DATA_DIR": str(folder), "BOXOFFICE_PIX_PROVIDER_URL": provider.url,
                     "BOXOFFICE_PIX_API_KEY": API_KEY, "BOXOFFICE_PIX_WEBHOOK_SECRET": WEBHOOK_SECRET},
                    folder / "server.log")  # fmt: skip
    server.env["BOXOFFICE_PIX_NOTIFY_URL"] = f"{server.url}/api/v1/payments/pix/webhook"
    server.cli("create-admin", BOSS, "--password-stdin", stdin=PASSWORD + "\n")
    server.start(timeout=120)  # generous: a busy 2-core machine
    try:
        yield server
    finally:
        server.stop()
        provider.stop()


@pytest.fixture
def pix_context(browser: Browser, pix_server: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=pix_server.url, viewport=DESKTOP, locale="en-US")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def test_fan_pays_with_pix_and_the_page_moves_on_when_the_bank_confirms(
    pix_context: BrowserContext, pix_server: Server
) -> None:
    page: Page = pix_context.new_page()
    create_show(pix_server, "Noite do Pix")
    register(page, unique_email())
    page.get_by_role("link", name="Noite do Pix").click()
    page.get_by_role("row", name=re.compile("Pista")).get_by_role("link", name="Choose").click()
    page.get_by_label("How many tickets?").select_option("2")
    page.get_by_role("button", name="Hold these tickets").click()

    page.locator("#pay-pix").check()
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.get_by_role("heading", name="Pay with Pix")).to_be_visible()
    expect(page.locator("#pix-waiting")).to_be_visible()
    assert page.locator("#pix-qr").get_attribute("src").startswith("data:image/svg+xml")  # type: ignore[union-attr]
    assert is_valid(page.locator("#pix-code").input_value())
    shoot(page, "pix-payment")

    bank = pix_context.new_page()
    bank.goto(page.locator("#pix-bank").get_attribute("href") or "")
    expect(bank.locator("#status")).to_have_text("pending")
    bank.get_by_role("button", name=re.compile("^Approve")).click()
    expect(bank.locator("#status")).to_have_text("paid")

    # No reload by hand: the page asks for the order until the webhook has settled it.
    expect(page.get_by_role("heading", name="Thank you! Here are your tickets.")).to_be_visible(timeout=30_000)
    expect(page.locator(".ticket img")).to_have_count(2)
    shoot(page, "pix-paid")


def test_a_declined_pix_payment_says_so(pix_context: BrowserContext, pix_server: Server) -> None:
    page: Page = pix_context.new_page()
    create_show(pix_server, "Noite Recusada")
    register(page, unique_email())
    page.get_by_role("link", name="Noite Recusada").click()
    page.get_by_role("row", name=re.compile("Pista")).get_by_role("link", name="Choose").click()
    page.get_by_role("button", name="Hold these tickets").click()
    page.locator("#pay-pix").check()
    page.get_by_role("button", name=re.compile("^Pay")).click()
    bank = pix_context.new_page()
    bank.goto(page.locator("#pix-bank").get_attribute("href") or "")
    bank.get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.locator("#pix-failed")).to_contain_text("declined", timeout=30_000)


def test_organiser_opens_a_presale_and_a_fan_registers_in_portuguese(
    browser: Browser, pix_server: Server
) -> None:
    from datetime import UTC, datetime, timedelta

    import httpx

    from tests.browser.conftest import log_in

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with httpx.Client(base_url=pix_server.url, timeout=20) as http:
        token = http.post("/api/v1/auth/login", json={"email": BOSS, "password": PASSWORD}).json()["token"]
        http.cookies.clear()
        show = http.post("/api/v1/admin/shows", headers={"Authorization": f"Bearer {token}"}, json={
            "name": "Noite da Pré-venda", "venue": "Arena", "starts_at": (now + timedelta(days=9)).isoformat(),
            "sale_opens_at": (now + timedelta(hours=2)).isoformat(),
            "sale_closes_at": (now + timedelta(days=8)).isoformat(), "per_account_limit": 4, "currency": "BRL",
            "sections": [{"name": "Pista", "kind": "ga", "price_cents": 25000, "capacity": 50}],
        }).json()  # fmt: skip
    fields = {"Registration opens": now - timedelta(minutes=5), "Registration closes": now + timedelta(hours=1),
              "General sale starts": now + timedelta(hours=3)}  # fmt: skip

    boss_context = browser.new_context(base_url=pix_server.url, viewport=DESKTOP, locale="en-US")
    boss = boss_context.new_page()
    log_in(boss, BOSS)
    boss.wait_for_url("**/")
    boss.goto(f"/admin/shows/{show['id']}/presale")
    for label, moment in fields.items():
        boss.get_by_label(label).fill(moment.strftime("%Y-%m-%dT%H:%M"))  # the venue's zone is UTC here
    boss.get_by_role("button", name="Save the presale").click()
    expect(boss.locator("#admin-done")).to_be_visible()
    shoot(boss, "admin-presale")
    boss_context.close()

    fan_context = browser.new_context(base_url=pix_server.url, viewport=DESKTOP, locale="en-US")
    fan = fan_context.new_page()
    fan.set_default_timeout(15_000)
    register(fan, unique_email())
    fan.goto(f"/lang/pt-BR?next=/shows/{show['id']}")  # the footer's switch
    fan.locator("#presale-link a").click()
    expect(fan.get_by_role("heading", name=re.compile("Pré-venda"))).to_be_visible()
    fan.get_by_role("button", name="Inscrever-se na pré-venda").click()
    expect(fan.locator("#presale-done")).to_contain_text("Você está inscrito")
    expect(fan.locator("#presale-registered")).to_have_text("1")
    shoot(fan, "presale-fan")
    fan_context.close()

"""In a real browser: an organiser adds a webhook endpoint and watches its
delivery arrive; anyone reads the demo's mail (with the PDF tickets) at /mail.
Both pages pass axe-core at phone and desktop width."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BOSS, log_in, shoot
from tests.browser.shop import axe_installed, axe_problems, make_show
from tests.e2e.server import Server, free_port
from tests.support import PASSWORD, unique_email

pytestmark = pytest.mark.slow


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()


def _buy(server: Server, show: dict) -> str:
    email = unique_email("mailfan")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Fã"}).status_code == 202
        token = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
        http.cookies.clear()
        auth = {"Authorization": f"Bearer {token}"}
        hold = http.post("/api/v1/holds", headers={**auth, "Idempotency-Key": "h"}, json={
            "show_id": show["id"], "section_id": show["sections"][0]["id"], "quantity": 2}).json()  # fmt: skip
        r = http.post("/api/v1/orders", headers={**auth, "Idempotency-Key": "o"}, json={
            "hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
        assert r.status_code == 201, r.text
    return email


def _until(page: Page, path: str, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(path)
        if text in page.content():
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never showed at {path}")


def test_webhooks_page_and_mail_catcher(page: Page, browser: Browser, server: Server, receiver: str) -> None:
    show = make_show(server, "Noite dos Webhooks", room=False)
    log_in(page, BOSS)
    page.wait_for_url("**/")
    page.goto("/admin")
    page.get_by_role("link", name="Webhooks", exact=True).click()
    page.get_by_label("Endpoint address (https://)").fill(receiver)
    page.get_by_label("Description").fill("Our CRM")
    page.get_by_label("order.paid").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text(receiver)).to_be_visible()
    expect(page.get_by_text("No deliveries yet.")).to_be_visible()

    email = _buy(server, show)
    _until(page, "/admin/webhooks", "delivery-sent")
    expect(page.locator("tr.delivery-sent").first).to_contain_text("order.paid")
    shoot(page, "admin-webhooks")

    page.goto("/admin/webhooks")
    page.get_by_label("Endpoint address (https://)").fill("http://example.com/hooks")
    page.get_by_label("order.refunded").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("alert")).to_contain_text("https")  # plain http only to loopback

    _until(page, "/mail", "Your tickets for Noite dos Webhooks")
    page.get_by_role("link", name="Your tickets for Noite dos Webhooks").first.click()
    expect(page.get_by_text(email).first).to_be_visible()
    expect(page.get_by_role("link", name="tickets-")).to_be_visible()
    shoot(page, "mail-catcher")

    axe_installed()
    for path in ("/admin/webhooks", "/mail", page.url.removeprefix(server.url)):
        ctx = browser.new_context(base_url=server.url, viewport={"width": 375, "height": 900}, bypass_csp=True)
        try:
            checked = ctx.new_page()
            log_in(checked, BOSS)
            checked.wait_for_url("**/")
            checked.goto(path)
            assert axe_problems(checked) == [], path
        finally:
            ctx.close()


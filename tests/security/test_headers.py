"""Security headers from one middleware on every answer, no inline script or
style in any template, no-store on what carries tickets or tokens, and the
request-body limit. (Issue 17, findings 6 and 10.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.security.conftest import app_with
from tests.support import sign_up

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "boxoffice" / "pages" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)


@pytest.fixture
def backend() -> str:
    return "sqlite"  # headers do not depend on the database


def assert_hardened(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "microphone=()" in r.headers["permissions-policy"]
    assert r.headers["referrer-policy"] == "same-origin"


async def test_every_kind_of_answer_carries_the_headers(client: httpx.AsyncClient, show: Show) -> None:
    answers = [
        await client.get("/"),  # a page
        await client.get(f"/shows/{show.id}"),
        await client.get("/api/v1/shows"),  # JSON
        await client.get("/no/such/page", headers={"Accept": "application/json"}),  # the pages' JSON 404
        await client.get("/api/v1/orders/x"),  # 401
        await client.post("/api/v1/auth/login", json={"email": 1}),  # 422
        await client.put("/api/v1/shows"),  # 405
        await client.get("/static/app.css"),  # a static file
        await client.get("/healthz"),
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 404, 401, 422, 405, 200, 200]
    for r in answers:
        assert_hardened(r)
    assert answers[6].headers["allow"] == "GET"
    assert "cache-control" not in answers[7].headers  # static files may be cached


def test_the_prebuilt_headers_are_what_an_answer_would_get_built_afresh() -> None:
    from boxoffice.web.security import _headers, security_headers

    assert security_headers("/api/v1/shows/x/queue", {b"content-type"}) == _headers("/", set())
    chose_caching = security_headers("/api/v1/x", {b"cache-control"})
    assert (b"cache-control", b"no-store") not in chose_caching
    assert b"cache-control" not in {name for name, _ in security_headers("/static/app.css", set())}
    assert b"cdn.jsdelivr.net" in dict(security_headers("/docs", set()))[b"content-security-policy"]


async def test_no_template_has_inline_script_or_style() -> None:
    found = {
        f"{p.relative_to(TEMPLATES)}: {m.group(0)}"
        for p in TEMPLATES.rglob("*.html")
        for m in INLINE.finditer(p.read_text())
    }
    assert found == set()  # behaviour goes in static/*.js, looks in static/*.css


async def test_the_docs_page_has_no_inline_script(client: httpx.AsyncClient) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200 and not INLINE.search(r.text)
    assert "https://cdn.jsdelivr.net" in r.headers["content-security-policy"]
    assert (await client.get("/static/docs.js")).status_code == 200


async def test_tickets_orders_and_the_login_answer_are_never_stored(
    client: httpx.AsyncClient, show: Show
) -> None:
    fan = await sign_up(client)
    r = await client.post("/api/v1/auth/login", json={"email": fan.email, "password": "correct horse battery"})
    assert r.json()["token"] and r.headers["cache-control"] == "no-store"
    hold = await fan.hold(show.id, show.sections[0].id, quantity=1)
    order = await fan.pay(hold.json()["hold_id"], "k1")
    code = order.json()["tickets"][0]["code"]
    for path in ("/api/v1/orders", f"/api/v1/orders/{order.json()['order_id']}", f"/api/v1/tickets/{code}",
                 f"/api/v1/tickets/{code}/qr.svg", "/api/v1/me"):  # fmt: skip
        r = await fan.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
    client.cookies.set("boxoffice_session", fan.token)
    r = await client.get("/my/tickets")
    assert r.status_code == 200 and code in r.text and r.headers["cache-control"] == "no-store"


async def _chunks(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 65536):
        yield b" " * 65536


async def test_bodies_past_the_limit_are_refused_before_they_are_read(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    async with app_with(tmp_path, database_url, clock, max_body_bytes=64 * 1024) as (_, _app, client_from):
        client = client_from("198.51.100.7")
        big = b'{"email": "a@example.com", "password": "' + b"x" * 200_000 + b'"}'
        r = await client.post("/api/v1/auth/login", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
        assert_hardened(r)
        # No Content-Length (chunked): stopped once past the limit, on the API and the pages alike.
        for path, kind in (("/api/v1/holds", "application/json"), ("/login", "application/x-www-form-urlencoded")):
            r = await client.post(path, content=_chunks(50 * 1024 * 1024), headers={"content-type": kind})
            assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large", path
        r = await client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 20})
        assert r.status_code == 401  # a normal body still goes through

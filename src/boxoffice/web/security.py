"""Security headers and the request-body limit: two small ASGI layers, outermost.

Every answer (pages, JSON, the fast path's, errors, 404s, static files) gets
the same headers from one place (ASVS 14.4, 8.2.1):

- a strict Content-Security-Policy: scripts and styles only from this origin,
  no inline script or style, no plugins, no framing, forms post only here.
  Templates must not use inline <script>, `style=` or `on...=` attributes:
  put behaviour in pages/static/*.js and looks in pages/static/*.css.
  (`/docs` alone may load Swagger UI from its CDN; its start-up script is
  our static file too.)
- HSTS, X-Frame-Options, X-Content-Type-Options, Referrer-Policy,
  Permissions-Policy, Cross-Origin-Opener-Policy;
- `Cache-Control: no-store` on every answer that did not choose its own
  caching, outside /static: tickets and their QR codes, orders, the login
  answer with its token, pages with a fan's name on them. A shared or
  back-button cache never keeps them.

The body limit (BOXOFFICE_MAX_BODY_BYTES) answers 413 before the app reads a
byte when Content-Length says too much, and stops a chunked body the moment
it passes the limit: no route ever reads 50 MB (ASVS 12.1.1, 13.1.x).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "form-action 'self'", "frame-ancestors 'none'",
])  # fmt: skip
SWAGGER_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join([
    "default-src 'self'", f"script-src 'self' {SWAGGER_CDN}", f"style-src 'self' {SWAGGER_CDN}",
    "img-src 'self' data: https://fastapi.tiangolo.com", "connect-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])  # fmt: skip
HEADERS = [
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
NO_STORE = (b"cache-control", b"no-store")


def security_headers(path: str, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    """The headers an answer to `path` gets, besides those it already has (`present`).
    The usual answer (an API's, which chose none of them) gets a list built once: do not change it."""
    if path != "/docs" and not path.startswith("/static/") and present.isdisjoint(USUAL_NAMES):
        return USUAL
    return _headers(path, present)


def _headers(path: str, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path == "/docs" else CSP
    added = [(name, value) for name, value in HEADERS if name not in present]
    if b"content-security-policy" not in present:
        added.append((b"content-security-policy", csp.encode()))
    if b"cache-control" not in present and not path.startswith("/static/"):
        added.append(NO_STORE)
    return added


USUAL = _headers("/", set())
USUAL_NAMES = frozenset(name for name, _ in USUAL)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + security_headers(path, present)
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


def too_large_body(limit: int) -> bytes:
    message = f"The request body is larger than {limit} bytes."
    return json.dumps({"error": {"code": "body_too_large", "message": message, "limit": limit}}).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = too_large_body(self.max_bytes)
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

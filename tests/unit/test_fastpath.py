"""The ASGI sold-out gate on its own: what it answers, what it passes on, and
that what it passes on reaches the app byte for byte (however the body came)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from boxoffice.errors import SoldOut
from boxoffice.holds.domain import HoldRequest
from boxoffice.cache.local import LocalCache
from boxoffice.clock import FakeClock
from boxoffice.web.fastpath import MAX_BODY, FastPaths

SOLD_OUT_SECTION = "pista"
READY = b'{"show_id": "s1", "sections": []}'


class Gate:
    def __init__(self) -> None:
        self.checked: list[HoldRequest] = []

    async def check(self, request: HoldRequest) -> None:
        self.checked.append(request)
        if request.section_id == SOLD_OUT_SECTION:
            raise SoldOut(available=0)
        if request.section_id == "broken":
            raise ConnectionResetError("the database went away")


class App:
    """Records the body it was given and answers 299."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.extra: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                self.extra.append(message)
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _call(
    middleware: FastPaths, chunks: list[bytes], headers: dict[str, str] | None = None,
    method: str = "POST", path: str = "/api/v1/holds", disconnect: bool = False,
) -> tuple[int, dict[str, Any] | None]:  # fmt: skip
    sent = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1 or disconnect}
        for i, c in enumerate(chunks)
    ] + ([{"type": "http.disconnect"}] if disconnect else [])
    if headers is None:
        headers = {"authorization": "Bearer t0ken", "content-type": "application/json"}
    scope = {
        "type": "http", "method": method, "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    answered: list[Message] = []

    async def receive() -> Message:
        return sent.pop(0)

    async def send(message: Message) -> None:
        answered.append(message)

    await middleware(scope, receive, send)
    status = answered[0]["status"]
    body = answered[1].get("body", b"")
    return status, json.loads(body) if status != 299 else None


async def test_availability_is_answered_with_the_ready_bytes_until_they_go_stale() -> None:
    clock, app = FakeClock(), App()
    paths = _paths(app, Gate(), clock)
    status, body = await _call(paths, [b""], method="GET", path="/api/v1/shows/s1/availability")
    assert (status, body, app.bodies) == (200, json.loads(READY), [])
    clock.advance(seconds=1)
    status, _ = await _call(paths, [b""], method="GET", path="/api/v1/shows/s1/availability")
    assert status == 299  # stale: the route renders it again


async def test_availability_of_other_shows_and_odd_paths_goes_to_the_app() -> None:
    for path in ["/api/v1/shows/s2/availability", "/api/v1/shows//availability",
                 "/api/v1/shows/x/s1/availability", "/api/v1/shows/s1"]:  # fmt: skip
        app = App()
        status, _ = await _call(_paths(app, Gate()), [b""], method="GET", path=path)
        assert status == 299 and app.bodies == [b""], path


def _paths(app: App, gate: Gate, clock: FakeClock | None = None) -> FastPaths:
    local = LocalCache(clock or FakeClock(), ttl=1.0)
    local.put("s1", "availability", READY)
    return FastPaths(app, gate, local)


def _body(section: str = SOLD_OUT_SECTION, **extra: Any) -> bytes:
    return json.dumps({"show_id": "s1", "section_id": section, "quantity": 1, **extra}).encode()


async def test_a_sold_out_section_is_answered_without_the_app() -> None:
    app, gate = App(), Gate()
    status, body = await _call(_paths(app, gate), [_body()])
    assert status == 409
    assert body == {"error": {"code": "sold_out", "message": SoldOut.default_message, "available": 0}}
    assert app.bodies == []
    assert gate.checked == [HoldRequest(show_id="s1", section_id=SOLD_OUT_SECTION, quantity=1)]


async def test_a_body_in_several_chunks_is_read_whole() -> None:
    app = App()
    raw = _body()
    status, _ = await _call(_paths(app, Gate()), [raw[:10], raw[10:20], raw[20:]])
    assert status == 409 and app.bodies == []


async def test_what_it_passes_on_reaches_the_app_unchanged() -> None:
    cases: list[tuple[list[bytes], dict[str, str] | None, str]] = [
        ([_body("open")], None, "not sold out"),
        ([_body("broken")], None, "the gate failed: the app gives its own error"),
        ([_body(quantity=0)], None, "invalid quantity: the app explains"),
        ([_body(extra="x")], None, "unknown field"),
        ([b"{not json"], None, "malformed"),
        ([_body()], {"content-type": "application/json"}, "no credentials: the app says 401"),
        ([_body()], {"authorization": "Basic abc", "content-type": "application/json"}, "not bearer"),
        ([_body()], {"authorization": "Bearer t", "content-type": "text/plain"}, "not JSON"),
        (
            [_body()],
            {"authorization": "Bearer t", "content-type": "application/json", "idempotency-key": "k"},
            "a retry may deserve its hold",
        ),
    ]
    for chunks, headers, why in cases:
        app = App()
        status, _ = await _call(_paths(app, Gate()), chunks, headers)
        assert (status, app.bodies) == (299, [b"".join(chunks)]), why


async def test_a_session_cookie_counts_as_credentials() -> None:
    headers = {"cookie": "lang=pt; boxoffice_session=abc", "content-type": "application/json"}
    status, _ = await _call(_paths(App(), Gate()), [_body()], headers)
    assert status == 409


async def test_other_routes_are_not_touched() -> None:
    for method, path in [("GET", "/api/v1/holds"), ("POST", "/api/v1/orders"), ("POST", "/api/v1/holds/x")]:
        app, gate = App(), Gate()
        status, _ = await _call(_paths(app, gate), [_body()], method=method, path=path)
        assert status == 299 and app.bodies == [_body()] and gate.checked == []


async def test_a_large_body_is_passed_on_in_its_chunks() -> None:
    padded = _body()[:-1] + b" " * (2 * MAX_BODY) + b"}"
    chunks = [padded[i : i + 1000] for i in range(0, len(padded), 1000)]
    app, gate = App(), Gate()
    status, _ = await _call(_paths(app, gate), chunks)
    assert status == 299 and app.bodies == [padded] and gate.checked == []


async def test_a_client_that_leaves_mid_body_is_passed_on_with_its_disconnect() -> None:
    app, gate = App(), Gate()
    status, _ = await _call(_paths(app, gate), [b'{"show_id":'], disconnect=True)
    assert status == 299 and app.bodies == [b'{"show_id":']
    assert app.extra == [{"type": "http.disconnect"}] and gate.checked == []

"""The ASGI fast paths on their own: what the sold-out gate answers, which
holds go to the direct hold path and with what, what is passed on, and that
what is passed on reaches the app byte for byte (however the body came)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from boxoffice.errors import SoldOut
from boxoffice.holds.domain import HoldRequest
from boxoffice.cache.local import LocalCache
from boxoffice.clock import FakeClock
from boxoffice.holds.schemas import HoldIn
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


class Direct:
    """Stands in for holds/endpoints.direct_holds: records its calls, answers 201."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, HoldIn, str | None, str | None]] = []

    async def __call__(
        self, scope: Scope, token: str, body: HoldIn, key: str | None, admission: str | None
    ) -> Response:
        self.calls.append((token, body, key, admission))
        return JSONResponse({"hold_id": "h1"}, status_code=201)


def _paths(app: App, gate: Gate, clock: FakeClock | None = None, direct: Direct | None = None) -> FastPaths:
    local = LocalCache(clock or FakeClock(), ttl=1.0)
    local.put("s1", "availability", READY)
    return FastPaths(app, gate, local, direct_hold=direct)


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


JSON_BEARER = {"authorization": "Bearer t0ken", "content-type": "application/json"}


async def test_a_bearer_hold_goes_to_the_direct_path_with_its_headers() -> None:
    app, gate, direct = App(), Gate(), Direct()
    headers = {**JSON_BEARER, "authorization": "bearer   t0ken ", "x-admission-token": "adm"}
    status, body = await _call(_paths(app, gate, direct=direct), [_body("open")], headers)
    assert (status, body, app.bodies) == (201, {"hold_id": "h1"}, [])
    hold_in = HoldIn(show_id="s1", section_id="open", quantity=1)
    assert direct.calls == [("t0ken", hold_in, None, "adm")]
    assert len(gate.checked) == 1  # the gate looked first (and let it through)


async def test_a_keyed_hold_skips_the_gate_and_carries_its_key() -> None:
    app, gate, direct = App(), Gate(), Direct()
    headers = {**JSON_BEARER, "idempotency-key": "k1"}
    status, _ = await _call(_paths(app, gate, direct=direct), [_body()], headers)  # sold-out section
    assert status == 201 and gate.checked == []  # a retry may deserve its hold: the service decides
    assert [(token, key) for token, _, key, _ in direct.calls] == [("t0ken", "k1")]


async def test_a_sold_out_refusal_never_reaches_the_direct_path() -> None:
    direct = Direct()
    status, _ = await _call(_paths(App(), Gate(), direct=direct), [_body()], JSON_BEARER)
    assert status == 409 and direct.calls == []


async def test_what_the_direct_path_leaves_to_the_app() -> None:
    cookie = {"cookie": "boxoffice_session=abc", "content-type": "application/json"}
    cases: list[tuple[dict[str, str], bytes, str]] = [
        (cookie, _body("open"), "a session cookie: the route checks its CSRF token"),
        ({**cookie, "authorization": "Basic abc"}, _body(), "a malformed Authorization wins over the cookie"),
        ({**JSON_BEARER, "idempotency-key": "k" * 201}, _body("open"), "a key longer than the route allows"),
        ({**JSON_BEARER, "x-admission-token": "a" * 2001}, _body("open"), "an admission token too long"),
        (JSON_BEARER, _body("open", quantity=0), "a body the route refuses with its own 422"),
    ]
    for headers, raw, why in cases:
        app, direct = App(), Direct()
        status, _ = await _call(_paths(app, Gate(), direct=direct), [raw], headers)
        assert (status, app.bodies, direct.calls) == (299, [raw], []), why

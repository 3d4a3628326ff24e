"""Answers below FastAPI for a sale's two torrents: "what is left?" and the
losing crowd's holds. Both answers are the same for every fan and are known
to this process already, so they skip routing, dependency resolution and
pydantic.

Availability: `GET /api/v1/shows/{id}/availability` is answered with the
ready JSON this process keeps for at most a second (cache/local.py) — the
bytes the route itself rendered last time. On a miss the route runs (and
renders them again).

The sold-out gate: once a section is sold out, thousands of fans a second keep posting holds for
it. The answer (409 `sold_out` / `seats_unavailable`) is public — it is what
`/availability` and the seat map say — and it changes nothing, so it need not
wait for FastAPI's dependency resolution, the session lookup or the rate
limits. This ASGI layer reads the small JSON body, validates it with the
route's own schema, asks the ticket cache (this process's L1, then Redis;
never the database) and answers.

Everything else goes on to the app untouched, its body replayed:
- no credentials at all (the app answers 401). A wrong token for a sold-out
  section learns only that it is sold out;
- an `Idempotency-Key`: it may be the retry of a hold that succeeded, whose
  answer is that hold, so the app checks the database first;
- a body the API would refuse (the app gives the precise 400/422), a body
  that is not JSON or is larger than a hold request can be;
- anything the cache does not know to be sold out: the database decides.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boxoffice.cache.local import LocalCache
from boxoffice.errors import DomainError, SeatsUnavailable, SoldOut
from boxoffice.holds.admission import SoldOutGate
from boxoffice.holds.schemas import HoldIn
from boxoffice.observability.metrics import Metrics
from boxoffice.web.deps import SESSION_COOKIE
from boxoffice.web.errors import status_of

HOLDS_PATH = "/api/v1/holds"
SHOWS_PREFIX, AVAILABILITY_SUFFIX = "/api/v1/shows/", "/availability"
MAX_BODY = 4096  # a hold of 100 seat ids fits in well under this
# What the access log and the metrics label them (the routes' own templates).
HOLDS_ROUTE = SimpleNamespace(path=HOLDS_PATH)
AVAILABILITY_ROUTE = SimpleNamespace(path=SHOWS_PREFIX + "{show_id}" + AVAILABILITY_SUFFIX)
JSON = b"application/json"


class FastPaths:
    def __init__(
        self, app: ASGIApp, gate: SoldOutGate, local: LocalCache, metrics: Metrics | None = None
    ) -> None:
        self.app = app
        self.gate = gate
        self.local = local
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            ready = self._ready_availability(scope["path"])
            if ready is not None:
                scope["route"] = AVAILABILITY_ROUTE
                await _send(send, 200, ready)
                return
        elif _may_refuse_hold(scope):
            body, rest = await _read(receive)
            if rest is None:
                refusal = await self._refusal(body)
                if refusal is not None:
                    scope["route"] = HOLDS_ROUTE
                    await self._refuse(send, refusal)
                    return
            receive = _replay(body, rest, receive)
        await self.app(scope, receive, send)

    def _ready_availability(self, path: str) -> bytes | None:
        if not (path.startswith(SHOWS_PREFIX) and path.endswith(AVAILABILITY_SUFFIX)):
            return None
        show_id = path[len(SHOWS_PREFIX) : -len(AVAILABILITY_SUFFIX)]
        if not show_id or "/" in show_id:
            return None
        return self.local.get(show_id, "availability")  # type: ignore[no-any-return]

    async def _refusal(self, body: bytes) -> DomainError | None:
        try:
            request = HoldIn.model_validate_json(body).request()
        except ValidationError:
            return None  # the app explains what is wrong with it
        try:
            await self.gate.check(request)
        except (SoldOut, SeatsUnavailable) as refused:
            return refused
        except Exception:  # noqa: BLE001 - e.g. the database is down: the app answers properly
            return None
        return None

    async def _refuse(self, send: Send, error: DomainError) -> None:
        if self.metrics is not None:
            self.metrics.errors.labels(error.code).inc()
        content = {"error": {"code": error.code, "message": error.message, **error.details}}
        await _send(send, status_of(error), json.dumps(content).encode())


async def _send(send: Send, status: int, content: bytes) -> None:
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", JSON), (b"content-length", str(len(content)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": content})


def _may_refuse_hold(scope: Scope) -> bool:
    """A JSON hold request with credentials and no idempotency key."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != HOLDS_PATH:
        return False
    credentials = json_body = False
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            return False
        if name == b"content-type":
            json_body = value.split(b";")[0].strip().lower() == JSON
        elif name == b"authorization":
            scheme, _, token = value.partition(b" ")
            credentials = credentials or (scheme.lower() == b"bearer" and bool(token.strip()))
        elif name == b"cookie":
            credentials = credentials or SESSION_COOKIE.encode() + b"=" in value
    return credentials and json_body


async def _read(receive: Receive) -> tuple[bytes, list[Message] | None]:
    """The whole body, or (what was read, the messages to replay after it) when it
    is too large or the client left: those go to the app as they came."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None
        if size > MAX_BODY:
            return b"".join(chunks), []


def _replay(body: bytes, rest: list[Message] | None, receive: Receive) -> Receive:
    """A receive that gives the app the body read here, then carries on."""
    pending: list[Message] = [
        {"type": "http.request", "body": body, "more_body": rest is not None},
        *(rest or []),
    ]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed

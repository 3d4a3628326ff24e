"""Answers below FastAPI for a sale's torrents: "what is left?", the losing
crowd's holds, and the holds themselves. The first two are the same for every
fan and known to this process already, so they skip routing, dependency
resolution and pydantic; a hold with a bearer token skips FastAPI's routing
and dependency resolution and goes to the same code the route runs.

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

Not refused by the gate: an `Idempotency-Key` (it may be the retry of a hold
that succeeded, whose answer is that hold, so the database is asked first),
and anything the cache does not know to be sold out. Those with a bearer
token are held here (`direct_hold`, holds/endpoints.py: authentication, rate
limits, the hold, the same answers and errors as the route).

Waiting-room polls: `GET /api/v1/shows/{id}/queue` with a place token
(X-Queue-Token, or the place cookie) from a fan far from the front is
answered from the token and this process's second-old cursor
(waitingroom/polls.py); everyone else, and every token it cannot read,
goes to the route.

Orders: `POST /api/v1/orders` with a bearer token is answered here too
(`direct_order`, orders/endpoints.py: the same authentication, order,
answers and errors as the route), with the same hand-overs as holds.

Everything else goes on to the app untouched, its body replayed:
- no credentials at all (the app answers 401). A wrong token for a sold-out
  section learns only that it is sold out;
- a session cookie (the route checks its CSRF token);
- a body or header the API would refuse (the app gives the precise 400/422),
  a body that is not JSON or is larger than a hold request can be.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace

from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boxoffice.cache.local import LocalCache
from boxoffice.errors import DomainError, SeatsUnavailable, SoldOut
from boxoffice.holds.admission import SoldOutGate
from boxoffice.holds.schemas import HoldIn
from boxoffice.observability.metrics import Metrics
from boxoffice.orders.schemas import OrderIn
from boxoffice.waitingroom import polls
from boxoffice.waitingroom.polls import PLACE_COOKIE, QuickPolls, set_place_cookie
from boxoffice.web.cookies import SESSION as SESSION_COOKIE
from boxoffice.web.errors import count_error, domain_error_response

HOLDS_PATH = "/api/v1/holds"
ORDERS_PATH = "/api/v1/orders"
SHOWS_PREFIX, AVAILABILITY_SUFFIX = "/api/v1/shows/", "/availability"
MAX_BODY = 4096  # a hold of 100 seat ids fits in well under this
MAX_IDEMPOTENCY_KEY, MAX_ADMISSION_TOKEN = 200, 2000  # the route's header limits
# What the access log and the metrics label them (the routes' own templates).
HOLDS_ROUTE = SimpleNamespace(path=HOLDS_PATH)
ORDERS_ROUTE = SimpleNamespace(path=ORDERS_PATH)
AVAILABILITY_ROUTE = SimpleNamespace(path=SHOWS_PREFIX + "{show_id}" + AVAILABILITY_SUFFIX)
QUEUE_SUFFIX = "/queue"
QUEUE_ROUTE = SimpleNamespace(path=SHOWS_PREFIX + "{show_id}" + QUEUE_SUFFIX)
PLACE_HEADER = polls.PLACE_HEADER.encode()
PLACE_COOKIE_PREFIX = PLACE_COOKIE.encode() + b"="
JSON = b"application/json"
# (scope, bearer token, body, Idempotency-Key, X-Admission-Token) -> the answer
DirectHold = Callable[[Scope, str, HoldIn, "str | None", "str | None"], Awaitable[Response]]
# (scope, bearer token, body, Idempotency-Key) -> the answer
DirectOrder = Callable[[Scope, str, OrderIn, "str | None"], Awaitable[Response]]


@dataclass
class HoldHeaders:
    """What a hold's or an order's request headers say, read once."""

    json: bool = False
    cookie: bool = False
    authorization: bool = False
    token: str | None = None  # a well-formed bearer token
    idempotency_key: str | None = None
    admission_token: str | None = None

    @property
    def credentials(self) -> bool:
        return self.token is not None or (self.cookie and not self.authorization)

    @property
    def within_limits(self) -> bool:
        return len(self.idempotency_key or "") <= MAX_IDEMPOTENCY_KEY and len(
            self.admission_token or ""
        ) <= MAX_ADMISSION_TOKEN


class FastPaths:
    def __init__(
        self, app: ASGIApp, gate: SoldOutGate, local: LocalCache, metrics: Metrics | None = None,
        direct_hold: DirectHold | None = None, polls: QuickPolls | None = None,
        secure_cookies: bool = True, direct_order: DirectOrder | None = None,
    ) -> None:  # fmt: skip
        self.app = app
        self.gate = gate
        self.local = local
        self.metrics = metrics
        self.direct_hold = direct_hold
        self.direct_order = direct_order
        self.polls = polls
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            ready = self._ready_availability(scope["path"])
            if ready is not None:
                scope["route"] = AVAILABILITY_ROUTE
                await _send(send, 200, ready)
                return
            poll = await self._poll(scope)
            if poll is not None:
                scope["route"] = QUEUE_ROUTE
                if isinstance(poll, bytes):
                    await _send(send, 200, poll)
                else:
                    await poll(scope, receive, send)
                return
        elif (headers := _post_headers(scope)) is not None:
            body, rest = await _read(receive)
            if rest is None:
                holds = scope["path"] == HOLDS_PATH
                answer = await (self._hold if holds else self._order)(scope, headers, body)
                if answer is not None:
                    scope["route"] = HOLDS_ROUTE if holds else ORDERS_ROUTE
                    await answer(scope, receive, send)
                    return
            receive = _replay(body, rest, receive)
        await self.app(scope, receive, send)

    async def _hold(self, scope: Scope, headers: HoldHeaders, body: bytes) -> Response | None:
        """The answer to a hold request, or None to let the app answer."""
        try:
            hold_in = HoldIn.model_validate_json(body)
        except ValidationError:
            return None  # the app explains what is wrong with it
        if headers.idempotency_key is None:
            refusal = await self._refusal(hold_in)
            if refusal is not None:
                count_error(self.metrics, refusal.code)
                return domain_error_response(refusal)
        if self.direct_hold is not None and headers.token is not None and headers.within_limits:
            return await self.direct_hold(
                scope, headers.token, hold_in, headers.idempotency_key, headers.admission_token
            )
        return None

    async def _order(self, scope: Scope, headers: HoldHeaders, body: bytes) -> Response | None:
        """The answer to an order request with a bearer token, or None to let the app answer."""
        if self.direct_order is None or headers.token is None or not headers.within_limits:
            return None
        try:
            order_in = OrderIn.model_validate_json(body)
        except ValidationError:
            return None  # the app explains what is wrong with it
        return await self.direct_order(scope, headers.token, order_in, headers.idempotency_key)

    async def _poll(self, scope: Scope) -> Response | bytes | None:
        """A far-from-the-front fan's poll, answered from their place token; None: the route answers."""
        path = scope["path"]
        if self.polls is None or not (path.startswith(SHOWS_PREFIX) and path.endswith(QUEUE_SUFFIX)):
            return None
        show_id = path[len(SHOWS_PREFIX) : -len(QUEUE_SUFFIX)]
        token, from_cookie = _place_token(scope)
        if not show_id or "/" in show_id or token is None:
            return None
        try:
            answered = await self.polls.answer(show_id, token)
        except Exception:  # noqa: BLE001 - whatever went wrong, the route answers properly
            return None
        if answered is None:
            return None
        body, renewed = answered
        if not from_cookie:
            return body  # the API's answer: the ready bytes
        response = Response(body, media_type="application/json")
        set_place_cookie(response, self.secure_cookies, show_id, renewed)
        return response

    def _ready_availability(self, path: str) -> bytes | None:
        if not (path.startswith(SHOWS_PREFIX) and path.endswith(AVAILABILITY_SUFFIX)):
            return None
        show_id = path[len(SHOWS_PREFIX) : -len(AVAILABILITY_SUFFIX)]
        if not show_id or "/" in show_id:
            return None
        return self.local.get(show_id, "availability")  # type: ignore[no-any-return]

    async def _refusal(self, hold_in: HoldIn) -> DomainError | None:
        try:
            await self.gate.check(hold_in.request())
        except (SoldOut, SeatsUnavailable) as refused:
            return refused
        except Exception:  # noqa: BLE001 - e.g. the database is down: the app answers properly
            return None
        return None


async def _send(send: Send, status: int, content: bytes) -> None:
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", JSON), (b"content-length", str(len(content)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": content})


def _place_token(scope: Scope) -> tuple[str | None, bool]:
    """(the place token, whether it came from the cookie): the header first; the
    cookie (a browser's) only without an Authorization header (an API client's
    jar may hold another account's cookie; it sends its own token in the header)."""
    cookie, bearer = None, False
    for name, value in scope["headers"]:
        if name == PLACE_HEADER:
            return value.decode("latin-1"), False
        if name == b"authorization":
            bearer = True
        elif name == b"cookie" and PLACE_COOKIE_PREFIX in value:
            for part in value.split(b";"):
                key, _, token = part.strip().partition(b"=")
                if key == PLACE_COOKIE.encode():
                    cookie = token.decode("latin-1")
    if bearer:
        return None, False
    return cookie, cookie is not None


def _post_headers(scope: Scope) -> HoldHeaders | None:
    """The headers of a JSON hold or order request that carries credentials;
    None for anything else (the app answers it)."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in (HOLDS_PATH, ORDERS_PATH):
        return None
    found = HoldHeaders()
    for name, value in scope["headers"]:
        if name == b"content-type":
            found.json = value.split(b";")[0].strip().lower() == JSON
        elif name == b"authorization" and not found.authorization:  # the first one, as the route
            found.authorization = True
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                found.token = token.strip().decode("latin-1")
        elif name == b"cookie":
            found.cookie = found.cookie or SESSION_COOKIE.encode() + b"=" in value
        elif name == b"idempotency-key" and found.idempotency_key is None:
            found.idempotency_key = value.decode("latin-1")
        elif name == b"x-admission-token" and found.admission_token is None:
            found.admission_token = value.decode("latin-1")
    return found if found.json and found.credentials else None


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

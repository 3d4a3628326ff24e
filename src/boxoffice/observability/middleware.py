"""One ASGI middleware per request: a request id, the access log line, the HTTP metrics.

The request id comes from the caller's (or the balancer's) X-Request-ID when
it is well-formed, otherwise it is made here; it is bound to every log line of
the request and returned in the answer. Routes are labelled by their template
(/api/v1/holds/{hold_id}), never the raw path, so ids and ticket codes stay out
of metrics and logs. Successful reads and 409s (sold out, seats taken) log at
DEBUG: a flash sale's torrent of them would drown the log, and the audit
trail already records every state change.
"""

from __future__ import annotations

import logging
import os
import re
from time import perf_counter
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boxoffice.observability.metrics import Metrics

REQUEST_ID_HEADER = b"x-request-id"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
log = structlog.get_logger("boxoffice.access")
ACCESS = logging.getLogger("boxoffice.access")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            sent = value.decode("latin-1")
            if WELL_FORMED.fullmatch(sent):
                return sent
            break
    return os.urandom(16).hex()


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics | None, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = perf_counter()

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())
                ]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._record(scope, status, perf_counter() - started)
            structlog.contextvars.reset_contextvars(**bound)
            structlog.contextvars.unbind_contextvars("account_id")  # bound by the auth dependency

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        if self.metrics is not None:
            self.metrics.request(method, route, status, seconds)
        if not self.access_log:
            return
        if status >= 500:
            level = logging.ERROR
        elif status == 409 or method in {"GET", "HEAD"} and status < 400 or route in QUIET_ROUTES:
            level = logging.DEBUG  # reads, and sold-out answers: a sale's normal torrent
        else:
            level = logging.INFO
        if not ACCESS.isEnabledFor(level):
            return  # the usual case for reads: build nothing
        fields: dict[str, Any] = {
            "method": method, "route": route, "status": status,
            "ms": round(seconds * 1000, 2),
        }  # fmt: skip
        account_id = scope.get("state", {}).get("account_id")
        if account_id:
            fields["account_id"] = account_id
        log.log(level, "request", **fields)

"""The one place where errors become HTTP responses.

Every error answer has the shape {"error": {"code", "message", ...details}}.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from boxoffice import errors
from boxoffice.observability.metrics import Metrics
from boxoffice.web.lost import CANDIDATES, lost_connection

log = logging.getLogger("boxoffice.web")

STATUS: list[tuple[type[errors.DomainError], int]] = [
    (errors.InvalidRequest, 422),
    (errors.NotAuthenticated, 401),
    (errors.InvalidCredentials, 401),
    (errors.CsrfFailed, 403),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.IdempotencyMismatch, 422),
    (errors.Conflict, 409),
    (errors.RateLimited, 429),
    (errors.PaymentDeclined, 402),
    (errors.PaymentTimeout, 504),
    (errors.Busy, 503),
]


def status_of(error: errors.DomainError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def error_response(status: int, code: str, message: str, **details: object) -> JSONResponse:
    headers = {}
    if "retry_after" in details:
        headers["Retry-After"] = str(details["retry_after"])
    elif status == 503:
        headers["Retry-After"] = "1"
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="boxoffice"'
    return JSONResponse(
        {"error": {"code": code, "message": message, **details}}, status_code=status, headers=headers
    )


def _count(request: Request, code: str) -> None:
    count_error(getattr(request.app.state.container, "metrics", None), code)


def count_error(metrics: Metrics | None, code: str) -> None:
    if metrics is not None:
        metrics.errors.labels(code).inc()


def domain_error_response(error: errors.DomainError) -> JSONResponse:
    return error_response(status_of(error), error.code, error.message, **error.details)


def unexpected_response(metrics: Metrics | None, exc: Exception) -> JSONResponse:
    if lost_connection(exc):  # not a bug: the client may try again
        count_error(metrics, errors.Busy.code)
        log.warning("lost connection: %s: %s", type(exc).__name__, exc)
        return domain_error_response(errors.Busy())
    count_error(metrics, "internal_error")
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side.")


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    _count(request, exc.code)
    pages = getattr(request.app.state, "pages", None)
    wants_page = "text/html" in request.headers.get("accept", "")  # a browser navigating
    if pages is not None and wants_page and not request.url.path.startswith("/api/"):
        response: Response = pages.error(request, status_of(exc), exc)
        if response.status_code == 503:
            response.headers["Retry-After"] = str(exc.details.get("retry_after", 1))
        return response
    return domain_error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        _count(request, "malformed_json")
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    _count(request, "invalid_request")
    fields = [
        {
            "field": ".".join(str(part) for part in p.get("loc", ()) if part != "body"),
            "problem": p.get("msg", "invalid"),
        }
        for p in problems
    ]
    summary = "; ".join(f"{f['field'] or 'body'}: {f['problem']}" for f in fields)
    return error_response(422, "invalid_request", f"Invalid request: {summary}", fields=fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {
        400: "malformed_json", 401: "not_authenticated", 404: "not_found", 405: "method_not_allowed",
        413: "body_too_large",
    }  # fmt: skip
    code = codes.get(exc.status_code, "http_error")
    _count(request, code)
    response = error_response(exc.status_code, code, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (Starlette names only the
    first route that matched the path: GET /holds/{id} hides DELETE /holds/{id})."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)  # PARTIAL: the path matches, the method does not
        if match is not Match.NONE and getattr(route, "methods", None):
            methods |= route.methods
    return sorted(methods)


async def _unexpected(request: Request, exc: Exception) -> Response:
    if lost_connection(exc):
        log.warning("lost connection: %s: %s", type(exc).__name__, exc)
        return await _domain_error(request, errors.Busy())  # a page for a page, JSON for the API
    return unexpected_response(getattr(request.app.state.container, "metrics", None), exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in CANDIDATES:  # answered inside the app (not re-raised to the server) when lost
        app.add_exception_handler(kind, _unexpected)
    app.add_exception_handler(Exception, _unexpected)

"""The OpenAPI document: every route's error answers, the bearer scheme.

FastAPI documents a route's success and its 422. The other answers follow
from what a route is, so they are added here from the route itself rather
than written by hand on ~60 decorators (and forgotten on the next one):

- every route: 503 `busy` (a database or Redis that does not answer);
- a body: 400 `malformed_json`, 413 `body_too_large`, 422;
- parameters: 422; path parameters or a body (they name things): 404;
- a logged-in caller (the CurrentAccount dependency): the bearer scheme,
  401, and 403 (an organiser-only route, or a cookie without its CSRF token);
- a state change (POST/PUT/PATCH/DELETE): 409 (the state does not allow it)
  and 429 (rate limits);
- and what only some routes answer (402 and 504 of a payment, ...): EXTRA.

Every error has the one shape `Error`. The strict CSP of web/security.py
does not apply to clients of this document; /docs renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from boxoffice.web.deps import current_account, current_organiser

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable"},
                "message": {"type": "string", "description": "For a person"},
            },
            "additionalProperties": True,
        }
    },
}
WHY = {
    400: "The body is not valid JSON (`malformed_json`)",
    401: "Not logged in: no session, or an expired or revoked one (`not_authenticated`)",
    402: "The payment was declined (`payment_declined`); the hold stays",
    403: "Not allowed (`forbidden`), or a cookie without its CSRF token (`csrf_failed`)",
    404: "No such thing, or not yours (`not_found`)",
    409: "The current state does not allow it (e.g. `sold_out`, `limit_exceeded`, `hold_expired`)",
    413: "The body is larger than BOXOFFICE_MAX_BODY_BYTES (`body_too_large`)",
    422: "Invalid input: `fields` says which (`invalid_request`)",
    429: "Too many requests (`rate_limited`); wait Retry-After seconds",
    503: "Busy or a dependency is down (`busy`); retry after Retry-After",
    504: "The payment provider did not answer (`payment_timeout`); nothing was charged",
}
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
# What only these routes answer, beyond the rules above.
EXTRA: dict[tuple[str, str], set[int]] = {
    ("POST", "/api/v1/orders"): {402, 504},
    ("POST", "/api/v1/auth/login"): {401},
    ("GET", "/api/v1/shows/{show_id}/queue"): {409, 429},
    ("GET", "/api/v1/holds/{hold_id}"): {409},
    ("POST", "/api/v1/payments/pix/webhook"): {404},  # Pix not configured
}
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "The token from POST /api/v1/auth/login. Pages use the session cookie instead "
    "(`__Host-boxoffice_session` when Secure), with X-CSRF-Token on state changes.",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def error_statuses(route: APIRoute, method: str) -> set[int]:
    d = route.dependant
    calls = set(_calls(d))
    found = {503}
    if d.body_params:
        found |= {400, 413, 422}
    if d.path_params or d.query_params or d.header_params or d.cookie_params:
        found.add(422)
    if d.path_params or d.body_params:
        found.add(404)  # what the path or the body names does not exist (or is not yours)
    if current_account in calls or current_organiser in calls:
        found |= {401, 403}
    if method in CHANGES:
        found |= {409, 429}
    return found | EXTRA.get((method, route.path_format), set())


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR
    components["securitySchemes"] = {"bearer": BEARER}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        calls = set(_calls(route.dependant))
        for method in route.methods:
            operation = schema["paths"][route.path_format].get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            documented = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            for status in sorted(error_statuses(route, method) | documented):
                responses[str(status)] = {
                    "description": responses.get(str(status), {}).get("description") or WHY.get(status, "Error"),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            if current_account in calls or current_organiser in calls:
                operation["security"] = [{"bearer": []}]
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

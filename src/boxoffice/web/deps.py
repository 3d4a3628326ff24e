"""FastAPI dependencies that make routes read like sentences."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Header, Request, Response

from boxoffice.accounts.domain import Account, normalise_email
from boxoffice.bootstrap import Container
from boxoffice.errors import CsrfFailed, DomainError, Forbidden, NotAuthenticated
from boxoffice.web import cookies
from boxoffice.web.errors import count_error, domain_error_response, unexpected_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def csrf_token_for(secret: bytes, session_token: str) -> str:
    """The CSRF token of a session: an HMAC of its token, so nothing extra is stored."""
    return hmac.new(secret, f"csrf:{session_token}".encode(), hashlib.sha256).hexdigest()[:40]


def session_token(request: Request) -> tuple[str, bool] | None:
    """The caller's session token and whether it came from the cookie."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Use `Authorization: Bearer <token>`.")
        return token.strip(), False
    cookie = cookies.read(request, cookies.SESSION)
    return (cookie, True) if cookie else None


async def current_account(request: Request, container: ContainerDep) -> Account:
    found = session_token(request)
    if found is None:
        raise NotAuthenticated()
    token, from_cookie = found
    account = await container.accounts.authenticate(token)
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, csrf_token_for(container.secret, token)):
            raise CsrfFailed()
    request.state.account_id = account.id
    structlog.contextvars.bind_contextvars(account_id=account.id)
    return account


async def answer_directly(
    container: Container, scope: dict, token: str,  # type: ignore[type-arg]
    answer: Callable[[Account], Awaitable[Response]],
) -> Response:  # fmt: skip
    """A bearer-token request the fast path (web/fastpath.py) answers outside
    FastAPI: the same authentication as `current_account`, and its errors
    answered as the app's own handlers would."""
    try:
        account = await container.accounts.authenticate(token)
        scope.setdefault("state", {})["account_id"] = account.id  # for the access log
        structlog.contextvars.bind_contextvars(account_id=account.id)
        return await answer(account)
    except DomainError as exc:
        count_error(container.metrics, exc.code)
        return domain_error_response(exc)
    except Exception as exc:  # noqa: BLE001 - answered as the app's own handler would
        return unexpected_response(container.metrics, exc)


async def current_organiser(account: Annotated[Account, Depends(current_account)]) -> Account:
    if not account.is_organiser:
        raise Forbidden("Only organisers can do this.")
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]
CurrentOrganiser = Annotated[Account, Depends(current_organiser)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying with the same key returns the first result, never a second one.",
    ),
]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_limits(container: Container, request: Request, email: str) -> None:
    """Logins per IP (any email) and per (email, IP): a guesser elsewhere uses
    up only their own budget and can never lock a fan out of their account."""
    ip = client_ip(request)
    await container.limits.hit("login_ip", ip)
    await container.limits.hit("login", f"{normalise_email(email)}|{ip}")


def hold_limits(container: Container, account_id: str, ip: str) -> Callable[[], Awaitable[None]]:
    """The rate limits a hold counts against (per account, per IP). HoldService
    calls them only for a request past the replay and the sold-out gate."""

    async def count() -> None:
        await container.limits.hit_together(("hold", account_id), ("ip", ip))

    return count


async def queue_limits(container: Container, account_id: str, request: Request) -> None:
    """Polling is cheap but not free: per account, and per IP (many fans share one)."""
    await container.limits.hit_together(("queue", account_id), ("ip", client_ip(request)))

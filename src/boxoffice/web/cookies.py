"""The session and form cookies: names, flags and lifetime in one place.

When the cookies are Secure (BOXOFFICE_COOKIE_SECURE, the default) their
names carry the `__Host-` prefix: a browser then accepts them only from a
secure origin, with Path=/ and no Domain, so neither a sibling subdomain nor
a plain-HTTP answer can plant or overwrite a fan's session (ASVS 3.4.4).
"""

from __future__ import annotations

from fastapi import Request, Response

from boxoffice.settings import Settings

SESSION = "boxoffice_session"
FORM = "boxoffice_form"


def name(base: str, settings: Settings) -> str:
    return f"__Host-{base}" if settings.cookie_secure else base


def _settings(request: Request) -> Settings:
    return request.app.state.container.settings  # type: ignore[no-any-return]


def read(request: Request, base: str) -> str | None:
    return request.cookies.get(name(base, _settings(request)))


def set_session(response: Response, settings: Settings, token: str) -> None:
    """The browser keeps the cookie for the absolute lifetime; the server ends it sooner when idle."""
    response.set_cookie(
        name(SESSION, settings), token, max_age=int(settings.session_days * 86400),
        httponly=True, secure=settings.cookie_secure, samesite="lax", path="/",
    )  # fmt: skip


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        name(SESSION, settings), path="/", secure=settings.cookie_secure, httponly=True,
        samesite="lax",
    )  # fmt: skip


def set_form(response: Response, settings: Settings, key: str) -> None:
    response.set_cookie(
        name(FORM, settings), key, httponly=True, samesite="strict",
        secure=settings.cookie_secure, path="/",
    )  # fmt: skip

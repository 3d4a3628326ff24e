"""CSRF for form posts: a double-submit token that works before login too.

Each browser gets a random `boxoffice_form` cookie (`__Host-` when Secure, HttpOnly, SameSite=Strict);
every form carries HMAC(secret, cookie). A post from another site cannot
read the cookie, so it cannot send the matching field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from boxoffice.errors import CsrfFailed
from boxoffice.web import cookies

def new_browser_key() -> str:
    return secrets.token_urlsafe(24)


def form_token(secret: bytes, browser_key: str) -> str:
    return hmac.new(secret, f"form:{browser_key}".encode(), hashlib.sha256).hexdigest()[:40]


def verify(request: Request, secret: bytes, sent: str | None) -> None:
    key = cookies.read(request, cookies.FORM)
    if not key or not sent or not hmac.compare_digest(sent, form_token(secret, key)):
        raise CsrfFailed("This form expired or came from another site: reload the page and try again.")

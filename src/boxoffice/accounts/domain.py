"""Accounts and sessions: pure rules, no framework."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import InvalidRequest

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "password123", "password1234",
        "qwertyuiop", "iloveyou123", "senha12345", "senha123456", "1q2w3e4r5t",
        "abcdefghij", "aaaaaaaaaa", "passwordpassword", "letmein123", "welcome123",
    }
)  # fmt: skip


class Role(StrEnum):
    FAN = "fan"
    ORGANISER = "organiser"


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    name: str
    role: Role
    created_at: datetime
    language: str = "en"  # of the mail we send (pages follow the browser)

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.ORGANISER


@dataclass(frozen=True, slots=True)
class Session:
    token_hash: str
    account_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def language_of(code: str | None) -> str:
    """The languages we mail in: pt-BR for any Portuguese, else English."""
    return "pt-BR" if code and code.lower().startswith("pt") else "en"


def hash_token(token: str) -> str:
    """Sessions are stored by the SHA-256 of their token: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, email: str) -> None:
    """Refuse passwords a person should not use; the message says how to fix it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"Password too weak: use at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if len(password) > 256:
        raise InvalidRequest("Password too long: use at most 256 characters.", field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise InvalidRequest(
            "Password too weak: it is too common or too repetitive.", field="password"
        )
    if lowered == normalise_email(email) or lowered == normalise_email(email).split("@")[0]:
        raise InvalidRequest("Password too weak: do not use your email.", field="password")

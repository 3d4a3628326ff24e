"""Accounts and sessions: pure rules, no framework."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


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
    last_seen_at: datetime | None = None

    def live_until(self, idle: timedelta) -> datetime:
        """A session ends at its absolute expiry or `idle` after it was last used, whichever is first."""
        return min(self.expires_at, (self.last_seen_at or self.created_at) + idle)

    def is_live(self, now: datetime, idle: timedelta) -> bool:
        return self.revoked_at is None and now < self.live_until(idle)

    def needs_touch(self, now: datetime, idle: timedelta) -> bool:
        """Record use at most every quarter of the idle timeout: a fan active
        within it stays logged in, and the database sees one write per
        session per quarter, not one per request."""
        return now - (self.last_seen_at or self.created_at) >= idle / 4


def language_of(code: str | None) -> str:
    """The languages we mail in: pt-BR for any Portuguese, else English."""
    return "pt-BR" if code and code.lower().startswith("pt") else "en"


def hash_token(token: str) -> str:
    """Sessions are stored by the SHA-256 of their token: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()

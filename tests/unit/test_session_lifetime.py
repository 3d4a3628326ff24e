"""The default session lifetime reconciles two promises: fans log in before
the rush and are still logged in when they reach the front of the line
(polls far from the front never touch the session), and a session is
re-authenticated at least every 12 hours (ASVS L2, V3.3.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from boxoffice.accounts.domain import Session
from boxoffice.settings import Settings

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def default_session() -> tuple[Session, timedelta]:
    settings = Settings(_env_file=None)
    lifetime = timedelta(days=settings.session_days)
    idle = timedelta(minutes=settings.session_idle_minutes)
    return Session("h", "a", created_at=T0, expires_at=T0 + lifetime), idle


def test_a_fan_who_waits_hours_in_line_without_touching_the_session_is_still_logged_in() -> None:
    session, idle = default_session()
    assert session.is_live(T0 + timedelta(hours=6), idle)


def test_every_session_ends_within_twelve_hours_however_active() -> None:
    session, idle = default_session()
    active = Session("h", "a", T0, session.expires_at, last_seen_at=T0 + timedelta(hours=11, minutes=59))
    assert active.is_live(T0 + timedelta(hours=11, minutes=59), idle)
    assert not active.is_live(T0 + timedelta(hours=12), idle)

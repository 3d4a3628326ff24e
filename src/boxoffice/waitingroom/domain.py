"""Waiting-room rules, pure: the lottery, queue status, and how many to admit.

Fairness, precisely:
- Everyone who joins before the sale opens is "early". When the sale opens,
  early fans get positions 1..E in lottery order (`draw_order`): each has a
  public pseudonymous id, HMAC-SHA256(salt, account id) with the room's
  published salt, and the ids are sorted by HMAC-SHA256(key, id), where the
  key is the seed (or SHA-256 of "seed:beacon" when the organiser entered a
  public beacon). SHA-256 of the seed is published when the room is
  configured (the commitment), the seed and the ids at the draw, so anyone
  can recompute the whole order, and nobody could change the seed after
  seeing who entered.
- Later arrivals get positions E+1, E+2, ... in arrival order.
- Admission moves one cursor forward: every position up to the cursor is
  admitted, so admission order is queue order by construction (nobody twice,
  nobody skipped). How often or how fast anyone polls changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from boxoffice.errors import InvalidRequest


class PlaceStatus(StrEnum):
    WAITING = "waiting"
    ADMITTED = "admitted"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class WaitingRoom:
    show_id: str
    enabled: bool
    opens_at: datetime
    admit_per_minute: int
    max_active: int | None
    window_minutes: float
    seed: str
    drawn_at: datetime | None = None
    salt: str = ""
    beacon: str | None = None

    @property
    def commitment(self) -> str:
        return commitment_of(self.seed)

    @property
    def public_salt(self) -> str:
        """The salt of the pseudonymous ids (rooms made before salts had one derived from the seed)."""
        return self.salt or _derived_salt(self.seed)

    def is_open(self, now: datetime) -> bool:
        return self.enabled and now >= self.opens_at

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)


def check_room_settings(
    opens_at: datetime, sale_opens_at: datetime, admit_per_minute: int,
    max_active: int | None, window_minutes: float,
) -> None:  # fmt: skip
    if opens_at > sale_opens_at:
        raise InvalidRequest("The waiting room must open no later than the sale.", field="opens_at")
    if not 1 <= admit_per_minute <= 1_000_000:
        raise InvalidRequest("Admit 1 to 1,000,000 buyers per minute.", field="admit_per_minute")
    if max_active is not None and not 1 <= max_active <= 1_000_000:
        raise InvalidRequest("max_active is 1 to 1,000,000 buyers.", field="max_active")
    if not 1 <= window_minutes <= 120:
        raise InvalidRequest("The buying window is 1 to 120 minutes.", field="window_minutes")


@functools.lru_cache(maxsize=1024)  # asked for by every quick poll: one hash per room
def _derived_salt(seed: str) -> str:
    return hashlib.sha256(f"salt:{seed}".encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=1024)  # the line tag of every quick poll: one hash per room
def commitment_of(seed: str) -> str:
    """Published before anyone joins: the seed it commits to cannot be changed later."""
    return hashlib.sha256(seed.encode()).hexdigest()


def pseudonym(salt: str, account_id: str) -> str:
    """A fan's public lottery id: unlinkable to the account without the account id."""
    return hmac.digest(salt.encode(), account_id.encode(), "sha256").hex()


def draw_key(seed: str, beacon: str | None) -> str:
    return hashlib.sha256(f"{seed}:{beacon}".encode()).hexdigest() if beacon else seed


def draw_order(seed: str, beacon: str | None, pseudonyms: Iterable[str]) -> list[str]:
    """The published ids in lottery order (position 1 first): recomputable by anyone."""
    key = draw_key(seed, beacon).encode()
    return sorted(pseudonyms, key=lambda p: hmac.new(key, p.encode(), hashlib.sha256).digest())


def lottery_key(seed: str, account_id: str) -> bytes:
    return hmac.new(seed.encode(), account_id.encode(), hashlib.sha256).digest()


def lottery_order(seed: str, entrants: Iterable[str]) -> list[str]:
    """The early entrants in lottery order (position 1 first)."""
    return sorted(entrants, key=lambda account_id: lottery_key(seed, account_id))


@dataclass(frozen=True, slots=True)
class QueueView:
    """What the store knows about one fan's place and the line."""

    position: int | None  # None: joined early, lottery not drawn yet
    cursor: int  # every position <= cursor is admitted
    admitted_at: datetime | None  # when the cursor passed this position
    line_length: int


@dataclass(frozen=True, slots=True)
class QueueStatus:
    status: PlaceStatus
    position: int | None
    ahead: int | None
    estimated_wait_seconds: int | None
    admitted_until: datetime | None = None


def status_of(view: QueueView, room: WaitingRoom, now: datetime) -> QueueStatus:
    if view.position is None:
        return QueueStatus(PlaceStatus.WAITING, None, None, None)
    if view.position <= view.cursor and view.admitted_at is not None:
        until = view.admitted_at + room.window
        if now < until:
            return QueueStatus(PlaceStatus.ADMITTED, view.position, 0, 0, until)
        return QueueStatus(PlaceStatus.EXPIRED, view.position, 0, 0, until)
    ahead = view.position - view.cursor - 1
    wait = math.ceil((ahead + 1) * 60 / room.admit_per_minute)
    return QueueStatus(PlaceStatus.WAITING, view.position, ahead, wait)


def poll_after_seconds(status: QueueStatus) -> int:
    """When the fan's page should ask again: rarely while the wait is long
    (a million pollers must not swamp the line), every few seconds near the front."""
    if status.status is not PlaceStatus.WAITING:
        return 30
    if status.estimated_wait_seconds is None:  # before the draw
        return 15
    return max(2, min(30, status.estimated_wait_seconds // 10))


def admissions_due(
    room: WaitingRoom,
    *,
    last_admit_at: datetime | None,
    now: datetime,
    carry: float,
    active: int,
) -> tuple[int, float]:
    """How many to admit now, and the fractional budget carried to the next tick.

    The rate is a token bucket refilled at admit_per_minute (at most one
    minute's worth saved up); with max_active set, never more than the free
    places among buyers still inside their window.
    """
    elapsed = 0.0 if last_admit_at is None else (now - last_admit_at).total_seconds()
    budget = min(carry + room.admit_per_minute * elapsed / 60, float(room.admit_per_minute))
    if last_admit_at is None:  # the first tick admits one second's worth at once
        budget = max(room.admit_per_minute / 60, 1.0)
    due = math.floor(budget)
    if room.max_active is not None:
        due = min(due, max(room.max_active - active, 0))
    return due, budget - due

"""Waiting-room polls that cost what an availability read costs.

A fan's place is fixed once placed, so the full poll (session lookup,
rate limits, one store script) gives them a signed place token (tokens.py)
and later polls carry it: `X-Queue-Token` for the API, a cookie scoped to
the show's queue path for pages. This process keeps each line's cursor for
at most BOXOFFICE_LOCAL_CACHE_SECONDS (as it keeps availability), so a poll
from a fan far from the front is answered from the token and that cursor:
it touches neither the session store nor Redis nor the database.

Correctness does not rest on this path:
- it only ever answers "waiting": whoever is near or past the cursor (within
  NEAR_SECONDS of admissions), and every token it cannot read, takes the
  full path, which authenticates and asks the store. Admission tokens come
  only from there, so admission order stays queue order;
- a forged token, another show's, an older line's or one past MAX_AGE is
  refused (the full path then needs a session);
- positions come from the store (one per account); the token only repeats one;
- the answer renews the token with the highest cursor the fan was shown, so
  a fan polling several processes (each with its own second-old cursor)
  never sees the number ahead, or the estimated wait, grow.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boxoffice.cache.local import LocalCache
from boxoffice.clock import Clock
from boxoffice.waitingroom.domain import (
    PlaceStatus, QueueStatus, WaitingRoom, poll_after_seconds, pseudonym,
)  # fmt: skip
from boxoffice.waitingroom.tokens import PlaceClaim, PlaceTokens

NEAR_SECONDS = 10  # fans admitted within this long of the cursor take the full path
PLACE_COOKIE = "boxoffice_place"
PLACE_HEADER = "x-queue-token"


@dataclass(frozen=True, slots=True)
class LineSnapshot:
    """A line as this process saw it a moment ago."""

    cursor: int
    drawn: bool
    lottery_at: datetime


def line_tag(room: WaitingRoom) -> str:
    """Names one line: a token issued for an earlier room's line is refused."""
    return room.commitment[:12]


def near_front(room: WaitingRoom, position: int, cursor: int) -> bool:
    return position <= cursor + max(1, math.ceil(room.admit_per_minute * NEAR_SECONDS / 60))


class QuickPolls:
    def __init__(
        self, tokens: PlaceTokens, clock: Clock, local: LocalCache,
        room: Callable[[str], Awaitable[WaitingRoom | None]],
        load_line: Callable[[str], Awaitable[LineSnapshot]],
    ) -> None:  # fmt: skip
        self.tokens = tokens
        self._clock = clock
        self._local = local
        self._room = room
        self._load_line = load_line
        self._loading: dict[str, asyncio.Future[LineSnapshot]] = {}

    def issue(self, room: WaitingRoom, show_id: str, account_id: str, position: int, cursor: int) -> str:
        return self._issue(line_tag(room), show_id, account_id, position, cursor, self._clock.now())

    def _issue(
        self, tag: str, show_id: str, account_id: str, position: int, cursor: int, now: datetime
    ) -> str:
        issued = int(now.timestamp())
        return self.tokens.issue(PlaceClaim(show_id, account_id, position, cursor, tag, issued))

    async def answer(self, show_id: str, token: str) -> tuple[bytes, str] | None:
        """(the poll's JSON, the renewed token) for a fan far from the front; None: take the full path."""
        now = self._clock.now()
        claim = self.tokens.read(token, show_id, now.timestamp())
        if claim is None:
            return None
        room = await self._room(show_id)
        if room is None or not room.is_open(now) or claim.line != (tag := line_tag(room)):
            return None
        line = await self.line(show_id)
        if line is None or (claim.position == 0 and line.drawn):  # drawn since: the full path places
            return None
        cursor = max(line.cursor, claim.cursor)
        if claim.position and near_front(room, claim.position, cursor):
            return None
        status = _waiting(room, claim.position, cursor)
        renewed = self._issue(tag, show_id, claim.account_id, claim.position, cursor, now)
        lottery_id = pseudonym(room.public_salt, claim.account_id)
        return _render(show_id, status, line.lottery_at, renewed, lottery_id), renewed

    async def line(self, show_id: str) -> LineSnapshot | None:
        """The line's cursor as of at most a second ago; one store read per process per second."""
        cached = self._local.get(show_id, "line")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        loading = self._loading.get(show_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_line(show_id))
            self._loading[show_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(show_id, None))
        try:
            line = await asyncio.shield(loading)
        except Exception:  # noqa: BLE001 - the store is unreachable: the full path says busy
            return None
        self._local.put(show_id, "line", line)
        return line

    def changed(self, show_id: str) -> None:
        """This process moved the cursor or drew the lottery: forget its snapshot."""
        self._local.drop(show_id, "line")


def _waiting(room: WaitingRoom, position: int, cursor: int) -> QueueStatus:
    if position == 0:  # an early entrant: the lottery places everyone when the sale opens
        return QueueStatus(PlaceStatus.WAITING, None, None, None)
    ahead = position - cursor - 1
    return QueueStatus(
        PlaceStatus.WAITING, position, ahead, math.ceil((ahead + 1) * 60 / room.admit_per_minute)
    )


def _render(show_id: str, s: QueueStatus, lottery_at: datetime, token: str, lottery_id: str) -> bytes:
    """The same JSON as the route's PlaceOut."""
    return json.dumps({
        "show_id": show_id, "status": s.status.value, "position": s.position, "ahead": s.ahead,
        "estimated_wait_seconds": s.estimated_wait_seconds, "admission_token": None,
        "admitted_until": None, "lottery_at": lottery_at.isoformat().replace("+00:00", "Z"),
        "poll_after_seconds": poll_after_seconds(s), "lottery_id": lottery_id, "place_token": token,
    }, separators=(",", ":")).encode()  # fmt: skip


def place_cookie_path(show_id: str) -> str:
    return f"/api/v1/shows/{show_id}/queue"


def set_place_cookie(response: Any, secure: bool, show_id: str, token: str) -> None:
    """Scoped to the show's queue path: sent with that show's polls only (so no
    `__Host-` prefix, which needs Path=/). It proves a place, never a session."""
    response.set_cookie(
        PLACE_COOKIE, token, max_age=PlaceTokens.MAX_AGE, httponly=True, secure=secure,
        samesite="strict", path=place_cookie_path(show_id),
    )  # fmt: skip

"""Where the line lives: the QueueStore interface and its in-process adapter.

The Redis adapter (redis_store.py) keeps the same state in Redis with each
step one atomic Lua script, so many app processes share one line. Both keep,
per show: early entrants (joined before the draw), the line (account ->
position), the admission cursor with its history (when each stretch of
positions was admitted), and who has finished buying.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from boxoffice.waitingroom.domain import QueueView


@dataclass(frozen=True, slots=True)
class AdmissionState:
    cursor: int
    line_length: int
    last_admit_at: datetime | None
    carry: float
    drawn: bool


class QueueStore(Protocol):
    async def join(self, show_id: str, account_id: str, now: datetime) -> int | None:
        """The fan's position (the same one on every call), or None while the
        fan is an early entrant waiting for the lottery."""

    async def position(self, show_id: str, account_id: str) -> tuple[bool, int | None]:
        """(in line at all, position or None before the draw)."""

    async def admitted_at(self, show_id: str, position: int) -> datetime | None: ...

    async def view(self, show_id: str, account_id: str) -> tuple[bool, QueueView]:
        """One poll, in one step: (in line at all, the fan's place and the line)."""

    async def freeze(self, show_id: str) -> int:
        """Close the early list (later joins go to the back); returns how many are early."""

    async def early_entrants(self, show_id: str) -> list[str]: ...

    async def place_early(self, show_id: str, ordered: list[str]) -> None:
        """Give early entrants positions 1..E in this order and mark the draw done."""

    async def state(self, show_id: str) -> AdmissionState: ...

    async def advance(
        self, show_id: str, expected_cursor: int, count: int, now: datetime, carry: float
    ) -> int | None:
        """Admit up to `count` more at `now` (or the last admission time, if later),
        only if the cursor is still `expected_cursor`
        (compare-and-set: two racing admitters cannot both move it). Returns the
        new cursor, or None if another admitter moved first."""

    async def active(self, show_id: str, since: datetime) -> int:
        """Admitted at or after `since` and not yet finished."""

    async def finish(self, show_id: str, account_id: str) -> None: ...

    async def forget(self, show_id: str) -> None: ...

    async def admitted_between(self, show_id: str, after: int, upto: int) -> list[str]:
        """The accounts at positions after < p <= upto, in line order ("your turn" mail)."""

    async def mailed(self, show_id: str) -> int:
        """The cursor up to which admitted fans were told by mail (0 at first)."""

    async def set_mailed(self, show_id: str, cursor: int) -> None: ...

    async def ping(self) -> None:
        """Raise if the store does not answer."""

    async def close(self) -> None: ...


@dataclass
class _Line:
    early: dict[str, datetime] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    frozen: bool = False
    drawn: bool = False
    next_position: int = 0
    cursor: int = 0
    last_admit_at: datetime | None = None
    carry: float = 0.0
    ticks: list[tuple[int, datetime]] = field(default_factory=list)  # (cursor, when), ascending
    finished: set[int] = field(default_factory=set)
    mailed: int = 0


class MemoryQueueStore:
    """The embedded default: one process, so plain dicts are atomic between awaits."""

    def __init__(self) -> None:
        self._lines: dict[str, _Line] = {}

    def _line(self, show_id: str) -> _Line:
        return self._lines.setdefault(show_id, _Line())

    async def join(self, show_id: str, account_id: str, now: datetime) -> int | None:
        line = self._line(show_id)
        if account_id in line.positions:
            return line.positions[account_id]
        if not line.frozen or account_id in line.early:
            line.early.setdefault(account_id, now)
            return None
        line.next_position += 1
        line.positions[account_id] = line.next_position
        return line.next_position

    async def position(self, show_id: str, account_id: str) -> tuple[bool, int | None]:
        line = self._line(show_id)
        if account_id in line.positions:
            return True, line.positions[account_id]
        return account_id in line.early, None

    async def admitted_at(self, show_id: str, position: int) -> datetime | None:
        ticks = self._line(show_id).ticks
        i = bisect.bisect_left([cursor for cursor, _ in ticks], position)
        return ticks[i][1] if i < len(ticks) else None

    async def view(self, show_id: str, account_id: str) -> tuple[bool, QueueView]:
        in_line, position = await self.position(show_id, account_id)
        state = await self.state(show_id)
        admitted_at = None
        if position is not None and position <= state.cursor:
            admitted_at = await self.admitted_at(show_id, position)
        return in_line, QueueView(position, state.cursor, admitted_at, state.line_length)

    async def freeze(self, show_id: str) -> int:
        line = self._line(show_id)
        if not line.frozen:
            line.frozen = True
            line.next_position = len(line.early)
        return len(line.early)

    async def early_entrants(self, show_id: str) -> list[str]:
        return list(self._line(show_id).early)

    async def place_early(self, show_id: str, ordered: list[str]) -> None:
        line = self._line(show_id)
        for position, account_id in enumerate(ordered, start=1):
            line.positions[account_id] = position
        line.drawn = True

    async def state(self, show_id: str) -> AdmissionState:
        line = self._line(show_id)
        length = line.next_position if line.frozen else len(line.early)
        return AdmissionState(line.cursor, length, line.last_admit_at, line.carry, line.drawn)

    async def advance(
        self, show_id: str, expected_cursor: int, count: int, now: datetime, carry: float
    ) -> int | None:
        line = self._line(show_id)
        if line.cursor != expected_cursor:
            return None
        new = min(line.cursor + count, line.next_position)
        if line.last_admit_at is not None:  # admitters' clocks may differ: never back in time
            now = max(now, line.last_admit_at)
        line.last_admit_at, line.carry = now, carry
        if new > line.cursor:
            line.cursor = new
            line.ticks.append((new, now))
        return line.cursor

    async def active(self, show_id: str, since: datetime) -> int:
        line = self._line(show_id)
        before = [cursor for cursor, when in line.ticks if when < since]
        low = before[-1] if before else 0
        return line.cursor - low - sum(1 for p in line.finished if low < p <= line.cursor)

    async def finish(self, show_id: str, account_id: str) -> None:
        line = self._line(show_id)
        if account_id in line.positions:
            line.finished.add(line.positions[account_id])

    async def forget(self, show_id: str) -> None:
        self._lines.pop(show_id, None)

    async def admitted_between(self, show_id: str, after: int, upto: int) -> list[str]:
        found = [(p, a) for a, p in self._line(show_id).positions.items() if after < p <= upto]
        return [account for _, account in sorted(found)]

    async def mailed(self, show_id: str) -> int:
        return self._line(show_id).mailed

    async def set_mailed(self, show_id: str, cursor: int) -> None:
        line = self._line(show_id)
        line.mailed = max(line.mailed, cursor)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._lines.clear()

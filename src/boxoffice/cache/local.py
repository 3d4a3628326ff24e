"""What this process learnt a moment ago (the L1 in front of the shared cache).

The hottest reads of a sale — "what is left?" and "is it sold out?" — have
the same answer for every fan of a show. Each process keeps the show, its
availability snapshot and the ready availability answer for at most `ttl`
seconds (never past the snapshot's own `exact_until`), so most of those
requests touch neither Redis nor the database nor pydantic. A change made
through this process drops the show's entries at once (TicketCache.changed);
a change made by another process is seen within `ttl`, inside the "second or
two" a fan may lag and the sold-out gate may take to reopen. Sessions are
never kept here: a logout must stop a session on every process at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boxoffice.clock import Clock


class LocalCache:
    def __init__(self, clock: Clock, ttl: float, max_items: int = 10_000) -> None:
        self._clock = clock
        self._ttl = timedelta(seconds=ttl)
        self._items: dict[tuple[str, str], tuple[datetime, Any]] = {}
        self._max_items = max_items

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    def get(self, show_id: str, name: str) -> Any:
        found = self._items.get((show_id, name))
        if found is None:
            return None
        until, value = found
        if self._clock.now() >= until:
            del self._items[(show_id, name)]
            return None
        return value

    def put(self, show_id: str, name: str, value: Any, exact_until: datetime | None = None) -> None:
        if not self.enabled:
            return
        until = self._clock.now() + self._ttl
        if exact_until is not None:
            until = min(until, exact_until)
        if len(self._items) >= self._max_items:
            self._items.clear()
        self._items[(show_id, name)] = (until, value)

    def drop(self, show_id: str, *names: str) -> None:
        """Forget a show's answers, or only those `names` (the ticket cache calls
        this on every change)."""
        for key in [k for k in self._items if k[0] == show_id and (not names or k[1] in names)]:
            self._items.pop(key, None)

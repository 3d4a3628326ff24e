"""The cache interface, and the in-process adapter (the embedded default).

Adapters never raise for an unreachable backend: a failed read is a miss and a
failed write is dropped, so a cache outage makes boxoffice slower, never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from boxoffice.clock import Clock


@dataclass(frozen=True, slots=True)
class CacheStatus:
    backend: str
    healthy: bool
    down_since: datetime | None = None
    detail: str = ""


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def status(self) -> CacheStatus: ...

    async def close(self) -> None: ...


class MemoryCache:
    """A dict with expiry, timed by the injected clock. One process only."""

    def __init__(self, clock: Clock, max_items: int = 100_000) -> None:
        self._clock = clock
        self._items: dict[str, tuple[bytes, datetime]] = {}
        self._max_items = max_items

    async def get(self, key: str) -> bytes | None:
        found = self._items.get(key)
        if found is None:
            return None
        value, expires = found
        if self._clock.now() >= expires:
            del self._items[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if len(self._items) >= self._max_items:
            self._evict_expired()
        if len(self._items) >= self._max_items:
            self._items.pop(next(iter(self._items)))
        self._items[key] = (value, self._clock.now() + timedelta(seconds=ttl))

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._items.pop(key, None)

    async def status(self) -> CacheStatus:
        return CacheStatus(backend="memory", healthy=True)

    async def close(self) -> None:
        self._items.clear()

    def _evict_expired(self) -> None:
        now = self._clock.now()
        for key in [k for k, (_, expires) in self._items.items() if expires <= now]:
            del self._items[key]


class NullCache:
    """No cache at all (BOXOFFICE_CACHE_ENABLED=false): every read goes to the database."""

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        return None

    async def delete(self, *keys: str) -> None:
        return None

    async def status(self) -> CacheStatus:
        return CacheStatus(backend="none", healthy=True, detail="cache disabled")

    async def close(self) -> None:
        return None

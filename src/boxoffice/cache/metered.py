"""A cache that counts its hits and misses by kind of key (show, avail, seats, session, ...)."""

from __future__ import annotations

from boxoffice.cache.base import Cache, CacheStatus
from boxoffice.observability.metrics import Metrics


class MeteredCache:
    def __init__(self, inner: Cache, metrics: Metrics) -> None:
        self.inner = inner  # the adapter itself (tests simulate its outages on it)
        self._metrics = metrics

    async def get(self, key: str) -> bytes | None:
        value = await self.inner.get(key)
        self._metrics.cache_lookup(key.partition(":")[0], value is not None)
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self.inner.set(key, value, ttl)

    async def delete(self, *keys: str) -> None:
        await self.inner.delete(*keys)

    async def status(self) -> CacheStatus:
        return await self.inner.status()

    async def close(self) -> None:
        await self.inner.close()

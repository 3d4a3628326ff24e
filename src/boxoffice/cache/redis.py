"""The Redis adapter, built to survive Redis going away mid-sale.

On a connection error the adapter marks itself down, logs once, and answers
every call as a miss without waiting on Redis until `retry_every` seconds
have passed. The first call after that pings; if Redis answers, every key
under our prefix is deleted (anything written before or during the outage
may be stale) and the caches rebuild from the database as they are read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from boxoffice.cache.base import CacheStatus
from boxoffice.redisclient import REDIS_FAILURES, redis_client

log = logging.getLogger("boxoffice.cache")
T = TypeVar("T")
# A failed cache call is a miss, served from the database. Besides connection
# errors, redis-py's cluster client raises AttributeError on a connection that
# another task has just dropped (seen when a primary is killed mid-sale).
_FAILURES: tuple[type[BaseException], ...] = (*REDIS_FAILURES, AttributeError)


class RedisCache:
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "boxoffice:",
        timeout: float = 0.5,
        retry_every: float = 1.0,
        cluster: bool = False,
    ) -> None:
        self._redis = redis_client(
            url, cluster=cluster, socket_timeout=timeout, socket_connect_timeout=timeout,
            retry_on_timeout=False,
        )  # fmt: skip
        self._prefix = prefix
        self._retry_every = retry_every
        self._down_since: datetime | None = None
        self._retry_at = 0.0
        self._recovering = asyncio.Lock()
        self.outages = 0

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    async def get(self, key: str) -> bytes | None:
        return await self._call(lambda: self._redis.get(self._prefix + key), None)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self._call(lambda: self._redis.set(self._prefix + key, value, px=int(ttl * 1000)), None)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._call(lambda: self._redis.delete(*(self._prefix + k for k in keys)), None)

    async def status(self) -> CacheStatus:
        if self.is_down and not await self._try_recover():
            return CacheStatus("redis", False, self._down_since, "unreachable; serving from the database")
        try:
            await self._redis.ping()
        except _FAILURES as exc:
            self._mark_down(exc)
            return CacheStatus("redis", False, self._down_since, "unreachable; serving from the database")
        return CacheStatus("redis", True)

    async def close(self) -> None:
        await self._redis.aclose()

    async def _call(self, op: Callable[[], Awaitable[T]], default: T) -> T:
        if self.is_down and not await self._try_recover():
            return default
        try:
            return await op()
        except _FAILURES as exc:
            self._mark_down(exc)
            return default

    def _mark_down(self, exc: BaseException) -> None:
        if self._down_since is None:
            self._down_since = datetime.now(UTC)
            self.outages += 1
            log.warning("redis unreachable, serving from the database: %s", exc)
        self._retry_at = time.monotonic() + self._retry_every

    async def _try_recover(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        async with self._recovering:
            if not self.is_down:
                return True
            try:
                await self._redis.ping()
                await self._flush()
            except _FAILURES as exc:
                self._retry_at = time.monotonic() + self._retry_every
                log.debug("redis still unreachable: %s", exc)
                return False
            log.warning("redis is back after %s; cache flushed, rebuilding", self._down_since)
            self._down_since = None
            return True

    async def _flush(self) -> None:
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=f"{self._prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await self._redis.delete(*batch)
                batch.clear()
        if batch:
            await self._redis.delete(*batch)

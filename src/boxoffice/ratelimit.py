"""Rate limits on login, registration and holds (the `limits` library).

In-process counters by default; with BOXOFFICE_REDIS_URL the counters live in
Redis, so every app process shares them. If Redis is unreachable, each process
falls back to its own in-process counters (limits per process, not per fleet)
until Redis answers again: degraded, never open.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse, storage
from limits.aio.strategies import MovingWindowRateLimiter

from boxoffice.errors import RateLimited
from boxoffice.redisclient import limits_uri

log = logging.getLogger("boxoffice.ratelimit")


class RateLimits:
    def __init__(
        self, rates: dict[str, str], redis_url: str | None = None, *, redis_cluster: bool = False
    ) -> None:
        self._local = MovingWindowRateLimiter(storage.storage_from_string("async+memory://"))
        self._shared = (
            MovingWindowRateLimiter(
                storage.storage_from_string(
                    limits_uri(redis_url, cluster=redis_cluster), implementation="redispy", key_prefix="boxoffice:limits",
                    socket_timeout=0.5, socket_connect_timeout=0.5,
                )  # fmt: skip
            )
            if redis_url
            else None
        )
        self._rates: dict[str, RateLimitItem] = {name: parse(rate) for name, rate in rates.items()}

    async def hit(self, name: str, *keys: str) -> None:
        """Count one request for every key; raise RateLimited if any is over."""
        item = self._rates[name]
        limiter = self._shared or self._local
        try:
            await self._hit(limiter, item, name, keys)
        except RateLimited:
            raise
        except Exception as exc:  # Redis unreachable: count locally instead
            if limiter is self._local:
                raise
            log.warning("shared rate limits unavailable, counting per process: %s", exc)
            await self._hit(self._local, item, name, keys)

    async def _hit(
        self, limiter: MovingWindowRateLimiter, item: RateLimitItem, name: str, keys: tuple[str, ...]
    ) -> None:
        for key in keys:
            if not await limiter.hit(item, name, key):
                stats = await limiter.get_window_stats(item, name, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(retry_after=retry_after)

    async def reset(self) -> None:
        await self._local.storage.reset()
        if self._shared is not None:
            await self._shared.storage.reset()

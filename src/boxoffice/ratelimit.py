"""Rate limits on login, registration and holds (the `limits` library).

In-process storage by default; with BOXOFFICE_REDIS_URL the counters live in
Redis, so every app process shares them.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse, storage
from limits.aio.strategies import MovingWindowRateLimiter

from boxoffice.errors import RateLimited


class RateLimits:
    def __init__(self, rates: dict[str, str], redis_url: str | None = None) -> None:
        uri = f"async+{redis_url}" if redis_url else "async+memory://"
        self._limiter = MovingWindowRateLimiter(storage.storage_from_string(uri))
        self._rates: dict[str, RateLimitItem] = {name: parse(rate) for name, rate in rates.items()}

    async def hit(self, name: str, *keys: str) -> None:
        """Count one request for every key; raise RateLimited if any is over."""
        item = self._rates[name]
        for key in keys:
            if not await self._limiter.hit(item, name, key):
                stats = await self._limiter.get_window_stats(item, name, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(retry_after=retry_after)

    async def reset(self) -> None:
        await self._limiter.storage.reset()

"""Rate limits on login, registration and holds (the `limits` library).

In-process counters by default; with BOXOFFICE_REDIS_URL the counters live in
Redis, so every app process shares them. If Redis is unreachable, each process
falls back to its own in-process counters (limits per process, not per fleet)
until Redis answers again: degraded, never open.

Every hold counts against two limits (per account, per IP). Through the
library that is two script calls and most of a hold's CPU outside the HTTP
layer (py-spy: ~40% of the hold path). `hit_together` counts several limits
in one call of one script (`TOGETHER` below) on a single Redis server: the
library's own moving-window algorithm, on the library's own keys and entries
(so its `hit` and window statistics read them the same), all or none. On a
Redis Cluster the keys live in different slots, so there each is counted
through the library as before.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse, storage
from limits.aio.strategies import MovingWindowRateLimiter

from boxoffice.errors import RateLimited
from boxoffice.redisclient import REDIS_FAILURES, limits_uri, redis_client

log = logging.getLogger("boxoffice.ratelimit")
KEY_PREFIX = "boxoffice:limits"

# KEYS: one moving window per limit. ARGV: now, then (limit, expiry) per key.
# The library's acquire_moving_window.lua for one entry, over every key: if
# any window is full nothing is counted and the answer is {its index, the time
# its oldest entry leaves}; otherwise each gets the entry, and the answer is 0.
TOGETHER = """
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
    local limit, expiry = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
    local entry = redis.call('lindex', KEYS[i], limit - 1)
    if entry and tonumber(entry) >= now - expiry then
        return {i, tostring(tonumber(entry) + expiry)}
    end
end
for i = 1, #KEYS do
    local limit, expiry = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
    redis.call('lpush', KEYS[i], ARGV[1])
    redis.call('ltrim', KEYS[i], 0, limit - 1)
    redis.call('expire', KEYS[i], expiry)
end
return 0
"""


class RateLimits:
    def __init__(
        self, rates: dict[str, str], redis_url: str | None = None, *, redis_cluster: bool = False
    ) -> None:
        self._local = MovingWindowRateLimiter(storage.storage_from_string("async+memory://"))
        self._shared = (
            MovingWindowRateLimiter(
                storage.storage_from_string(
                    limits_uri(redis_url, cluster=redis_cluster), implementation="redispy", key_prefix=KEY_PREFIX,
                    socket_timeout=0.5, socket_connect_timeout=0.5,
                )  # fmt: skip
            )
            if redis_url
            else None
        )
        self._rates: dict[str, RateLimitItem] = {name: parse(rate) for name, rate in rates.items()}
        self._client = (
            redis_client(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
            if redis_url and not redis_cluster
            else None
        )  # fmt: skip
        self._together = self._client.register_script(TOGETHER) if self._client is not None else None

    async def hit_together(self, *hits: tuple[str, str]) -> None:
        """Count one request against each (limit name, key), in one call to
        Redis when it can; raise RateLimited (and count none) if any is over."""
        if self._together is None:
            for name, key in hits:
                await self.hit(name, key)
            return
        items = [self._rates[name] for name, _ in hits]
        now = time.time()
        try:
            full = await self._together(
                keys=[f"{KEY_PREFIX}:{item.key_for(name, key)}" for item, (name, key) in zip(items, hits)],
                args=[now, *(v for item in items for v in (item.amount, item.get_expiry()))],
            )  # fmt: skip
        except REDIS_FAILURES as exc:  # Redis unreachable: count locally instead
            log.warning("shared rate limits unavailable, counting per process: %s", exc)
            for name, key in hits:
                await self._hit(self._local, self._rates[name], name, (key,))
            return
        if full:
            raise RateLimited(retry_after=max(1, math.ceil(float(full[1]) - time.time())))

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

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

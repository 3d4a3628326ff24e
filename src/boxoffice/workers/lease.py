"""Leases: exactly one instance does a background job at a time.

Every app process runs the background loops (hold sweeping, waiting-room
admission), but each round first takes the job's lease; only the holder
works, the others skip the round. A lease expires by itself (`ttl`), so when
its holder dies another instance takes over within one ttl; a live holder
renews it every round.

- RedisLease: SET key owner NX PX ttl to take; a Lua script renews or
  releases only if this instance still owns it (never someone else's lease).
- LocalLease: the embedded default has one process, so it always holds.
"""

from __future__ import annotations

import logging
import secrets
from typing import Protocol

from boxoffice.redisclient import REDIS_FAILURES, AnyRedis, redis_client

log = logging.getLogger("boxoffice.workers")

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease(Protocol):
    async def acquire(self, job: str, ttl_seconds: float) -> bool:
        """True if this instance holds the job's lease for the next ttl (taken or renewed)."""

    async def release(self, job: str) -> None: ...

    async def close(self) -> None: ...


class LocalLease:
    async def acquire(self, job: str, ttl_seconds: float) -> bool:
        return True

    async def release(self, job: str) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisLease:
    def __init__(self, redis: AnyRedis, prefix: str = "boxoffice:lease") -> None:
        self._redis = redis
        self._prefix = prefix
        self.owner = secrets.token_hex(8)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, *, cluster: bool = False) -> RedisLease:
        return cls(redis_client(url, cluster=cluster, socket_timeout=2, socket_connect_timeout=2))

    async def acquire(self, job: str, ttl_seconds: float) -> bool:
        key, ttl_ms = f"{self._prefix}:{job}", max(int(ttl_seconds * 1000), 1)
        try:
            if await self._redis.set(key, self.owner, nx=True, px=ttl_ms):
                return True
            return bool(await self._renew(keys=[key], args=[self.owner, ttl_ms]))
        except REDIS_FAILURES as exc:  # no Redis, no lease: skip the round
            log.warning("lease %s unavailable: %s", job, exc)
            return False

    async def release(self, job: str) -> None:
        try:
            await self._release(keys=[f"{self._prefix}:{job}"], args=[self.owner])
        except REDIS_FAILURES as exc:
            log.warning("lease %s not released (it will expire): %s", job, exc)

    async def close(self) -> None:
        await self._redis.aclose()

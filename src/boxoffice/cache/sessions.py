"""The session cache: who a session token belongs to, and what a buyer holds.

The database stays the record of sessions (they survive a cache restart);
the cache saves the lookup on every request. Logout deletes the cached entry,
so with Redis a revoked session stops working on every process at once. If
Redis is unreachable at the moment of logout, other processes may accept the
session until its cached entry times out (at most `ttl`, default 60 s).
"""

from __future__ import annotations

import json
from datetime import datetime

from boxoffice.accounts.domain import Account
from boxoffice.cache import codec
from boxoffice.cache.base import Cache
from boxoffice.clock import Clock


class SessionCache:
    def __init__(self, cache: Cache, clock: Clock, ttl: float = 60.0) -> None:
        self._cache = cache
        self._clock = clock
        self._ttl = ttl

    async def account(self, token_hash: str) -> Account | None:
        raw = await self._cache.get(f"session:{token_hash}")
        if raw is None:
            return None
        account, expires_at = codec.account_from_json(raw)
        return account if self._clock.now() < expires_at else None

    async def remember(self, token_hash: str, account: Account, expires_at: datetime) -> None:
        left = (expires_at - self._clock.now()).total_seconds()
        if left > 0:
            payload = codec.account_to_json(account, expires_at)
            await self._cache.set(f"session:{token_hash}", payload, min(self._ttl, left))

    async def forget(self, token_hash: str) -> None:
        await self._cache.delete(f"session:{token_hash}")

    async def live_holds(self, account_id: str, show_id: str) -> list[tuple[str, datetime]] | None:
        """The buyer's live holds for a show as (hold id, expiry), or None on a miss."""
        raw = await self._cache.get(f"buyer:{account_id}:{show_id}")
        if raw is None:
            return None
        now = self._clock.now()
        held = [(hold_id, datetime.fromisoformat(at)) for hold_id, at in json.loads(raw)]
        return [(hold_id, at) for hold_id, at in held if at > now]

    async def remember_holds(
        self, account_id: str, show_id: str, holds: list[tuple[str, datetime]]
    ) -> None:
        payload = codec.dump([[hold_id, at.isoformat()] for hold_id, at in holds])
        await self._cache.set(f"buyer:{account_id}:{show_id}", payload, self._ttl)

    async def forget_holds(self, *buyers: tuple[str, str]) -> None:
        """Drop the cached live holds of these (account id, show id) pairs, in one call."""
        await self._cache.delete(*(f"buyer:{account_id}:{show_id}" for account_id, show_id in buyers))

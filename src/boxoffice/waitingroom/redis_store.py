"""The line on Redis: every step that reads-then-writes is one Lua script, so
any number of app processes can join, poll and admit at once.

Keys per show share the hash tag {show_id} (Redis Cluster keeps them on one
shard): early (ZSET account -> join time), line (ZSET account -> position),
frozen, next (last position given), cursor, last_at, carry, drawn,
ticks (ZSET "cursor:time" by cursor), ticks_t (ZSET cursor by time),
done (ZSET account -> position).
"""

from __future__ import annotations

from datetime import UTC, datetime

from boxoffice.redisclient import AnyRedis, redis_client
from boxoffice.waitingroom.domain import QueueView
from boxoffice.waitingroom.store import AdmissionState

_JOIN = """
local p = redis.call('ZSCORE', KEYS[2], ARGV[1])
if p then return tonumber(p) end
if redis.call('EXISTS', KEYS[3]) == 0 or redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
  return -1
end
local pos = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[2], pos, ARGV[1])
return pos
"""

_FREEZE = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], redis.call('ZCARD', KEYS[1]))
  redis.call('SET', KEYS[3], redis.call('ZCARD', KEYS[1]))
end
return tonumber(redis.call('GET', KEYS[2]))
"""

_ADVANCE = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return -1 end
local len = tonumber(redis.call('GET', KEYS[2]) or '0')
local new = math.min(cur + tonumber(ARGV[2]), len)
local last = redis.call('GET', KEYS[3])
if last and tonumber(last) > tonumber(ARGV[3]) then ARGV[3] = last end  -- never back in time
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], ARGV[4])
if new > cur then
  redis.call('SET', KEYS[1], new)
  redis.call('ZADD', KEYS[5], new, new .. ':' .. ARGV[3])
  redis.call('ZADD', KEYS[6], ARGV[3], new)
end
return new
"""

_VIEW = """
local p = redis.call('ZSCORE', KEYS[1], ARGV[1])
local in_line = 1
if not p and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then in_line = 0 end
local cursor = tonumber(redis.call('GET', KEYS[3]) or '0')
local len
if redis.call('EXISTS', KEYS[5]) == 1 then
  len = tonumber(redis.call('GET', KEYS[4]) or '0')
else
  len = redis.call('ZCARD', KEYS[2])
end
local at = false
if p and tonumber(p) <= cursor then
  local found = redis.call('ZRANGEBYSCORE', KEYS[6], p, '+inf', 'LIMIT', 0, 1)
  if found[1] then at = found[1] end
end
return {in_line, p or false, cursor, len, at}
"""

_BATCH = 10_000


def _epoch(when: datetime) -> str:
    return repr(when.timestamp())


def _time(epoch: bytes | str | float) -> datetime:
    return datetime.fromtimestamp(float(epoch), UTC)


class RedisQueueStore:
    def __init__(self, redis: AnyRedis, prefix: str = "boxoffice:wr") -> None:
        self._redis = redis
        self._prefix = prefix
        self._join = redis.register_script(_JOIN)
        self._freeze = redis.register_script(_FREEZE)
        self._advance = redis.register_script(_ADVANCE)
        self._view = redis.register_script(_VIEW)

    @classmethod
    def from_url(cls, url: str, prefix: str = "boxoffice:wr", *, cluster: bool = False) -> RedisQueueStore:
        return cls(redis_client(url, cluster=cluster), prefix=prefix)

    def _k(self, show_id: str, name: str) -> str:
        return f"{self._prefix}:{{{show_id}}}:{name}"

    async def join(self, show_id: str, account_id: str, now: datetime) -> int | None:
        keys = [self._k(show_id, n) for n in ("early", "line", "frozen", "next")]
        position = int(await self._join(keys=keys, args=[account_id, _epoch(now)]))
        return None if position < 0 else position

    async def position(self, show_id: str, account_id: str) -> tuple[bool, int | None]:
        placed = await self._redis.zscore(self._k(show_id, "line"), account_id)
        if placed is not None:
            return True, int(placed)
        early = await self._redis.zscore(self._k(show_id, "early"), account_id)
        return early is not None, None

    async def admitted_at(self, show_id: str, position: int) -> datetime | None:
        found = await self._redis.zrangebyscore(
            self._k(show_id, "ticks"), position, "+inf", start=0, num=1
        )
        return _time(found[0].split(b":", 1)[1]) if found else None

    async def view(self, show_id: str, account_id: str) -> tuple[bool, QueueView]:
        keys = [self._k(show_id, n) for n in ("line", "early", "cursor", "next", "frozen", "ticks")]
        in_line, position, cursor, length, tick = await self._view(keys=keys, args=[account_id])
        admitted_at = _time(tick.split(b":", 1)[1]) if tick else None
        view = QueueView(
            position=int(float(position)) if position is not None else None,
            cursor=int(cursor), admitted_at=admitted_at, line_length=int(length),
        )  # fmt: skip
        return bool(in_line), view

    async def freeze(self, show_id: str) -> int:
        keys = [self._k(show_id, n) for n in ("early", "frozen", "next")]
        return int(await self._freeze(keys=keys))

    async def early_entrants(self, show_id: str) -> list[str]:
        key, found, start = self._k(show_id, "early"), [], 0
        while chunk := await self._redis.zrange(key, start, start + _BATCH - 1):
            found.extend(member.decode() for member in chunk)
            start += _BATCH
        return found

    async def place_early(self, show_id: str, ordered: list[str]) -> None:
        key = self._k(show_id, "line")
        for start in range(0, len(ordered), _BATCH):
            chunk = ordered[start : start + _BATCH]
            await self._redis.zadd(key, {a: start + i + 1 for i, a in enumerate(chunk)})
        await self._redis.set(self._k(show_id, "drawn"), 1)

    async def state(self, show_id: str) -> AdmissionState:
        names = ("cursor", "next", "last_at", "carry", "drawn", "frozen")
        cursor, length, last_at, carry, drawn, frozen = await self._redis.mget(
            [self._k(show_id, n) for n in names]
        )
        if frozen is None:
            length = await self._redis.zcard(self._k(show_id, "early"))
        return AdmissionState(
            cursor=int(cursor or 0),
            line_length=int(length or 0),
            last_admit_at=_time(last_at) if last_at else None,
            carry=float(carry or 0),
            drawn=drawn is not None,
        )

    async def advance(
        self, show_id: str, expected_cursor: int, count: int, now: datetime, carry: float
    ) -> int | None:
        keys = [self._k(show_id, n) for n in ("cursor", "next", "last_at", "carry", "ticks", "ticks_t")]
        new = int(await self._advance(keys=keys, args=[expected_cursor, count, _epoch(now), repr(carry)]))
        return None if new < 0 else new

    async def active(self, show_id: str, since: datetime) -> int:
        cursor = int(await self._redis.get(self._k(show_id, "cursor")) or 0)
        before = await self._redis.zrevrangebyscore(
            self._k(show_id, "ticks_t"), f"({since.timestamp()!r}", "-inf", start=0, num=1
        )
        low = int(before[0]) if before else 0
        done = await self._redis.zcount(self._k(show_id, "done"), f"({low}", cursor)
        return cursor - low - int(done)

    async def finish(self, show_id: str, account_id: str) -> None:
        placed = await self._redis.zscore(self._k(show_id, "line"), account_id)
        if placed is not None:
            await self._redis.zadd(self._k(show_id, "done"), {account_id: placed})

    async def forget(self, show_id: str) -> None:
        names = ("early", "line", "frozen", "next", "cursor", "last_at", "carry", "drawn",
                 "ticks", "ticks_t", "done", "mailed")  # fmt: skip
        await self._redis.delete(*(self._k(show_id, n) for n in names))

    async def admitted_between(self, show_id: str, after: int, upto: int) -> list[str]:
        found = await self._redis.zrangebyscore(self._k(show_id, "line"), f"({after}", upto)
        return [a.decode() if isinstance(a, bytes) else str(a) for a in found]

    async def mailed(self, show_id: str) -> int:
        return int(await self._redis.get(self._k(show_id, "mailed")) or 0)

    async def set_mailed(self, show_id: str, cursor: int) -> None:
        await self._redis.set(self._k(show_id, "mailed"), cursor)

    async def memory_bytes(self, show_id: str) -> int:
        total = 0
        for name in ("early", "line", "ticks", "ticks_t", "done"):
            total += int(await self._redis.memory_usage(self._k(show_id, name), samples=0) or 0)
        return total

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

"""The floor under any authenticated hold: a bare ASGI app (no FastAPI, no
database) on the same uvicorn, whose endpoints do only the Redis round trips
a hold cannot skip. Served by floor.py; not product code.

    /            nothing (the bare HTTP layer)
    /session     one GET (the session lookup every authenticated request makes)
    /limits      the session GET and the two hold rate limits (boxoffice.ratelimit)
    /one-script  the same three in one hand-written Lua script (one round trip;
                 what replacing the `limits` library would buy, for comparison)
    /hold        a lean durable hold, as far as one can strip it: that one
                 script (session + both limits), then a per-section group
                 commit on raw asyncpg (purchase locks, the account's use,
                 the section lock, counter + holds + audit in one statement,
                 commit) into scratch tables floor.py made; no FastAPI, no
                 SQLAlchemy, no idempotency keys, no cache upkeep
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import datetime, timedelta, timezone

import asyncpg

import redis.asyncio as aioredis
from starlette.types import Receive, Scope, Send

from boxoffice.ratelimit import RateLimits

REDIS = os.environ.get("FLOOR_REDIS_URL", "redis://127.0.0.1:6379/7")
POSTGRES = os.environ.get("FLOOR_POSTGRES_DSN", "")
SESSION_AND_LIMITS = """
local account = redis.call('GET', KEYS[1])
if not account then return false end
for _, key in ipairs({'floor:hold:' .. account, 'floor:ip:' .. ARGV[1]}) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, 60) end
end
return account
"""
LOCKS = """INSERT INTO floor_lock SELECT unnest($1::text[]), 'show'
           ON CONFLICT (account, show) DO UPDATE SET show = EXCLUDED.show RETURNING account"""
USED = """SELECT account, sum(quantity) FROM floor_hold
          WHERE account = ANY($1::text[]) AND expires_at > $2 GROUP BY account"""
FREE = "SELECT capacity - held FROM floor_section WHERE id = $1 FOR UPDATE"
WRITE = """WITH taken AS (UPDATE floor_section SET held = held + $2 WHERE id = $1),
           new AS (INSERT INTO floor_hold SELECT * FROM unnest($3::text[], $4::text[], $5::int[], $6::int[],
                   $7::timestamptz[], $8::timestamptz[]))
           INSERT INTO floor_audit (hold_id, account, at) SELECT unnest($3::text[]), unnest($4::text[]), $7[1]"""
state: dict[str, object] = {}
ONE_SCRIPT = """
local account = redis.call('GET', KEYS[1])
for i = 2, 3 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], 60) end
end
return account
"""


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            state["redis"] = aioredis.Redis.from_url(REDIS)
            state["script"] = state["redis"].register_script(ONE_SCRIPT)  # type: ignore[attr-defined]
            state["hold_script"] = state["redis"].register_script(SESSION_AND_LIMITS)  # type: ignore[attr-defined]
            if POSTGRES:
                state["pool"] = await asyncpg.create_pool(POSTGRES, min_size=4, max_size=4)
            state["limits"] = RateLimits({"hold": "100000000/minute", "ip": "100000000/minute"}, REDIS)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["path"] == "/hold":
        await hold(scope, receive, send)
        return
    redis, limits = state["redis"], state["limits"]
    assert isinstance(redis, aioredis.Redis) and isinstance(limits, RateLimits)
    if scope["path"] in ("/session", "/limits"):
        await redis.get("session:floor")
    if scope["path"] == "/one-script":
        await state["script"](keys=["session:floor", "floor:hold:account", "floor:ip:127.0.0.1"])  # type: ignore[operator]
    if scope["path"] == "/limits":
        await limits.hit("hold", "account-floor")
        await limits.hit("ip", "127.0.0.1")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})


async def respond(send: Send, status: int, content: object) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


async def hold(scope: Scope, receive: Receive, send: Send) -> None:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    try:
        body = json.loads(b"".join(chunks))
        section, quantity = int(body["section_id"]), int(body["quantity"])
        assert 1 <= quantity <= 4
    except Exception:  # noqa: BLE001
        await respond(send, 422, {"error": {"code": "invalid_request"}})
        return
    token = dict(scope["headers"]).get(b"authorization", b"").partition(b" ")[2].decode()
    script = state["hold_script"]
    account = await script(keys=[f"session:{token}"], args=[scope["client"][0]])  # type: ignore[operator]
    if account is None:
        await respond(send, 401, {"error": {"code": "not_authenticated"}})
        return
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    queue = QUEUES.setdefault(section, [])
    queue.append((account.decode(), quantity, future))
    if section not in WRITERS:
        WRITERS[section] = asyncio.create_task(write(section))
    outcome = await future
    if isinstance(outcome, str):
        await respond(send, 409, {"error": {"code": outcome}})
    else:
        await respond(send, 201, outcome)


QUEUES: dict[int, list[tuple[str, int, asyncio.Future[object]]]] = {}
WRITERS: dict[int, asyncio.Task[None]] = {}


async def write(section: int) -> None:
    queue = QUEUES[section]
    try:
        while queue:
            batch, queue[:] = queue[:100], queue[100:]
            await decide(section, batch)
    finally:
        del WRITERS[section]


async def decide(section: int, batch: list[tuple[str, int, asyncio.Future[object]]]) -> None:
    now = datetime.now(timezone.utc)
    accounts = sorted({account for account, _, _ in batch})
    pool = state["pool"]
    assert isinstance(pool, asyncpg.Pool)
    async with pool.acquire() as conn, conn.transaction():
        await conn.fetch(LOCKS, accounts)
        used = dict(await conn.fetch(USED, accounts, now))
        free = await conn.fetchval(FREE, section)
        new, outcomes = [], []
        for account, quantity, _ in batch:
            if used.get(account, 0) + quantity > 100:
                outcomes.append("limit_exceeded")
            elif quantity > free:
                outcomes.append("sold_out")
            else:
                free -= quantity
                used[account] = used.get(account, 0) + quantity
                hold_id = uuid.uuid4().hex
                new.append((hold_id, account, quantity))
                outcomes.append({"hold_id": hold_id, "quantity": quantity,
                                 "expires_at": (now + timedelta(minutes=10)).isoformat()})
        if new:
            await conn.execute(
                WRITE, section, sum(q for _, _, q in new), [h for h, _, _ in new], [a for _, a, _ in new],
                [section] * len(new), [q for _, _, q in new], [now] * len(new),
                [now + timedelta(minutes=10)] * len(new),
            )  # fmt: skip
    for (_, _, future), outcome in zip(batch, outcomes, strict=True):
        future.set_result(outcome)

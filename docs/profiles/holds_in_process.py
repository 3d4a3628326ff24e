"""CPU per hold, SQL statements and Redis commands per hold, in one process:
3,000 holds, 64 at a time, through httpx.ASGITransport into create_app, on
the bench's PostgreSQL + Redis (the client's CPU is included).

    .venv/bin/python docs/profiles/holds_in_process.py [--keyed]
"""

from __future__ import annotations

import asyncio
import collections
import sys
import time

import httpx
import redis.asyncio.client as redis_client
from sqlalchemy import event

from _setup import bench_fixture, drop
from boxoffice.bootstrap import build_container
from boxoffice.web.app import create_app

N = 3000


async def main(keyed: bool) -> None:
    settings, f = await bench_fixture(hold_rate="1000000/minute", ip_rate="100000000/minute")
    container = build_container(settings)
    app = create_app(container, sweep_every=None)
    statements, commands = collections.Counter[str](), collections.Counter[str]()
    event.listen(container.database.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _k, sql, *_: statements.update([" ".join(sql.split()[:4])]))  # fmt: skip
    real = redis_client.Redis.execute_command

    async def counted(self, *args, **kw):  # type: ignore[no-untyped-def]
        commands[str(args[0])] += 1
        return await real(self, *args, **kw)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as c:
        for token in f.tokens[:N]:  # warm sessions, as after the waiting room
            await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        statements.clear()
        redis_client.Redis.execute_command = counted  # type: ignore[method-assign]
        body = {"show_id": f.roomy_show, "section_id": f.roomy_section, "quantity": 1}
        todo = list(range(N))
        codes = collections.Counter[int]()

        async def worker() -> None:
            while todo:
                i = todo.pop()
                headers = {"Authorization": f"Bearer {f.tokens[i % len(f.tokens)]}"}
                if keyed:
                    headers["Idempotency-Key"] = f"k{i}"
                codes[(await c.post("/api/v1/holds", json=body, headers=headers)).status_code] += 1

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(64)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(dict(codes), f"CPU per hold {cpu / N * 1000:.3f} ms, {N / wall:.0f} holds/s")
    print(f"SQL statements per hold {sum(statements.values()) / N:.2f}, Redis commands per hold "
          f"{sum(commands.values()) / N:.2f} {dict(commands)}")  # fmt: skip
    await container.close()
    await drop()


asyncio.run(main("--keyed" in sys.argv))

"""CPU per order and orders/s in one process: 600 fans each pay their 1-ticket
hold, 64 at a time, through httpx.ASGITransport into create_app, on the
bench's PostgreSQL + Redis (the client's CPU is included).

    .venv/bin/python docs/profiles/orders_in_process.py [ORDER_BATCH_SIZE]   # 1 = one by one
"""

from __future__ import annotations

import asyncio
import sys
import time

import httpx

from _setup import bench_fixture, drop
from boxoffice.bootstrap import build_container
from boxoffice.web.app import create_app

N = 600


async def main(batch: int) -> None:
    settings, f = await bench_fixture(fans=N, seats=0, order_batch_size=batch,
                                      hold_rate="1000000/minute", ip_rate="100000000/minute")  # fmt: skip
    container = build_container(settings)
    app = create_app(container, sweep_every=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as c:
        holds = []
        for token in f.tokens:
            auth = {"Authorization": f"Bearer {token}"}
            body = {"show_id": f.sale_show, "section_id": f.ga_section, "quantity": 1}
            holds.append((auth, (await c.post("/api/v1/holds", json=body, headers=auth)).json()["hold_id"]))
        slots = asyncio.Semaphore(64)

        async def pay(auth: dict[str, str], hold_id: str) -> None:
            async with slots:
                r = await c.post("/api/v1/orders", headers={**auth, "Idempotency-Key": f"o{hold_id}"},
                                 json={"hold_id": hold_id, "payment": {"method": "fake", "outcome": "approve"}})  # fmt: skip
                assert r.status_code == 201, r.text

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(pay(auth, hold_id) for auth, hold_id in holds))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    settles = container.orders.settles
    print(f"CPU per order {cpu / N * 1000:.2f} ms, {N / wall:.0f} orders/s, "
          f"transactions {settles.batches if settles else N}")  # fmt: skip
    await container.close()
    await drop()


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 32))

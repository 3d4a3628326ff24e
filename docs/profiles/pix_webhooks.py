"""Time the Pix webhook endpoint in-process (SQLite): 100 webhooks that settle an order, then the same 100 again (duplicates).

Run from the repository root: PYTHONPATH=. .venv/bin/python docs/profiles/pix_webhooks.py
"""
import asyncio, json, statistics, tempfile, time
from pathlib import Path
import httpx
from boxoffice.clock import FakeClock
from boxoffice.payments.signing import sign
from boxoffice.storage.migrate import migrate
from boxoffice.web.app import create_app
from boxoffice.orders.payments import Charge, Outcome
from tests.support import T0, make_container, settings_for, show_spec, many_fans

class StubPix:
    def __init__(self): self.n = 0
    def validate(self, p): pass
    async def charge(self, key, amount, currency, p):
        self.n += 1
        return Charge(f"pix_{self.n}", Outcome.PENDING, amount, currency, "pix", expires_at=T0.replace(hour=13), copy_paste="X", status="pending")
    async def refund(self, *a, **k): pass
    async def close(self): pass

async def main():
    d = Path(tempfile.mkdtemp())
    c = make_container(settings_for(d, f"sqlite+aiosqlite:///{d}/b.db", pix_webhook_secret="s"*32), FakeClock(T0))
    from boxoffice.orders.payments import Gateways
    c.orders._gateway = Gateways({"fake": c.gateway, "pix": StubPix()})
    await migrate(c.database)
    show = await c.inventory.create_show(show_spec(ga_capacity=1000, limit=10))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(c, sweep_every=None)), base_url="http://t") as client:
        fans = await many_fans(c, client, 100)
        orders = []
        for i, f in enumerate(fans):
            h = (await f.hold(show.id, show.sections[0].id, quantity=1)).json()
            o = (await f.post("/api/v1/orders", json={"hold_id": h["hold_id"], "payment": {"method": "pix"}}, headers={"Idempotency-Key": f"k{i}"})).json()
            orders.append(o)
        def body(o, i):
            return json.dumps({"id": f"evt_{i}", "type": "charge.paid", "charge": {"id": f"pix_{i+1}", "reference": o["order_id"], "status": "paid", "amount_cents": o["amount_cents"], "currency": o["currency"]}}).encode()
        for label, offset in (("settling", 0), ("duplicate", 0)):
            times = []
            for i, o in enumerate(orders):
                b = body(o, i)
                t = time.perf_counter()
                r = await client.post("/api/v1/payments/pix/webhook", content=b, headers={"X-Pix-Signature": sign(b"s"*32, int(time.time()), b)})
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
            times.sort()
            print(f"{label}: n={len(times)} median {statistics.median(times):.1f} ms, p95 {times[94]:.1f} ms, last outcome {r.json()['outcome']}")
    await c.close()
asyncio.run(main())

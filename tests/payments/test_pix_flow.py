"""Pix end to end: the fake provider is its own process; the fan pays on its
page; its signed webhook reaches the shop over HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.payments.brcode import is_valid
from tests.payments.provider import eventually
from tests.support import Fan, sign_up


async def pix_order(fan: Fan, show: Show, key: str = "pix-1", quantity: int = 1) -> dict:
    hold = await fan.hold(show.id, show.sections[0].id, quantity=quantity)
    assert hold.status_code == 201, hold.text
    r = await fan.post("/api/v1/orders", json={"hold_id": hold.json()["hold_id"], "payment": {"method": "pix"}},
                       headers={"Idempotency-Key": key})  # fmt: skip
    assert r.status_code == 202, r.text
    return r.json()


async def pay(bank: httpx.AsyncClient, pay_url: str, action: str = "approve") -> None:
    r = await bank.post(pay_url, data={"action": action})
    assert r.status_code == 303, r.text


async def status_of(fan: Fan, order_id: str, wanted: str, payment: str | None = None) -> dict | None:
    """The order once it is `wanted` (and its payment row `payment`, which follows it)."""

    async def check() -> dict | None:
        order = (await fan.get(f"/api/v1/orders/{order_id}")).json()
        done = order["status"] == wanted and order["payment"]["status"] == (payment or wanted)
        return order if done else None

    return await eventually(check)


async def test_a_pix_order_waits_for_the_webhook_and_keeps_its_hold(
    container: Container, show: Show, fan: Fan, bank: httpx.AsyncClient, clock: FakeClock
) -> None:
    order = await pix_order(fan, show, quantity=2)
    payment = order["payment"]
    assert order["status"] == "pending" and order["tickets"] == []
    assert is_valid(payment["copy_paste"]) and payment["qr_svg_data_uri"].startswith("data:image/svg+xml")
    deadline = datetime.fromisoformat(payment["deadline"])
    assert deadline == clock.now() + timedelta(minutes=15)
    hold = (await fan.get(f"/api/v1/holds/{order['hold_id']}")).json()
    assert datetime.fromisoformat(hold["expires_at"]) == deadline  # kept alive for the payment

    clock.advance(minutes=12)  # past the hold's own 10 minutes, before the deadline
    page = await bank.get(payment["pay_url"])
    assert page.status_code == 200 and payment["copy_paste"] in page.text
    await pay(bank, payment["pay_url"])

    paid = await status_of(fan, order["order_id"], "paid")
    assert paid is not None and len(paid["tickets"]) == 2 and paid["payment"]["status"] == "paid"
    stats = (await fan.get(f"/api/v1/shows/{show.id}/availability")).json()
    pista = next(s for s in stats["sections"] if s["section_id"] == show.sections[0].id)
    assert pista["available"] == show.sections[0].capacity - 2


async def test_a_retry_answers_the_same_pending_order_and_a_second_order_is_refused(
    show: Show, fan: Fan
) -> None:
    order = await pix_order(fan, show, key="same")
    again = await fan.post("/api/v1/orders", json={"hold_id": order["hold_id"], "payment": {"method": "pix"}},
                           headers={"Idempotency-Key": "same"})  # fmt: skip
    assert again.status_code == 202 and again.json()["order_id"] == order["order_id"]
    assert again.json()["payment"]["copy_paste"] == order["payment"]["copy_paste"]
    other = await fan.post("/api/v1/orders", json={"hold_id": order["hold_id"], "payment": {"method": "pix"}},
                           headers={"Idempotency-Key": "other"})  # fmt: skip
    assert other.status_code == 409 and other.json()["error"]["code"] == "payment_pending"


async def test_a_declined_pix_payment_fails_the_order(show: Show, fan: Fan, bank: httpx.AsyncClient) -> None:
    order = await pix_order(fan, show)
    await pay(bank, order["payment"]["pay_url"], "decline")
    failed = await status_of(fan, order["order_id"], "failed")
    assert failed is not None and failed["tickets"] == [] and failed["payment"]["status"] == "failed"


async def test_money_after_the_deadline_is_refunded_and_never_oversells(
    container: Container, small_show: Show, fan: Fan, shop: httpx.AsyncClient,
    bank: httpx.AsyncClient, clock: FakeClock,
) -> None:  # fmt: skip
    """One ticket left: fan A's Pix is pending, the deadline passes, fan B buys
    the ticket; A's money then arrives and goes back. Sold stays 1."""
    order = await pix_order(fan, small_show)
    clock.advance(minutes=16)
    other = await sign_up(shop)
    hold = await other.hold(small_show.id, small_show.sections[0].id, quantity=1)
    assert hold.status_code == 201, hold.text
    assert (await other.pay(hold.json()["hold_id"], "b-1")).status_code == 201

    await pay(bank, order["payment"]["pay_url"])
    failed = await status_of(fan, order["order_id"], "failed", payment="refunded")
    assert failed is not None and failed["failure_reason"] == "hold_expired"
    reference = order["payment"]["pay_url"].rsplit("/", 1)[1]

    async def refunded() -> bool:
        return (await bank.get(f"/api/charges/{reference}")).json()["status"] == "refunded"

    assert await eventually(refunded)
    assert await status_of(fan, order["order_id"], "failed", payment="refunded")
    async with container.database.engine.connect() as conn:
        from sqlalchemy import select

        from boxoffice.storage.tables import sections

        sold, held = (await conn.execute(
            select(sections.c.sold_count, sections.c.held_count).where(sections.c.id == small_show.sections[0].id)
        )).one()  # fmt: skip
    assert (sold, held) == (1, 0)


async def test_reconciliation_settles_a_payment_whose_webhook_never_came(
    container: Container, show: Show, client: httpx.AsyncClient, bank: httpx.AsyncClient,
    clock: FakeClock,
) -> None:  # fmt: skip
    fan = await sign_up(client)  # the shop is not listening: every webhook is lost
    order = await pix_order(fan, show)
    reference = order["payment"]["pay_url"].rsplit("/", 1)[1]
    await pay(bank, order["payment"]["pay_url"])
    await container.payments.reconcile()  # too early: within the grace period nothing is asked
    clock.advance(seconds=61)
    await container.payments.reconcile()
    paid = await status_of(fan, order["order_id"], "paid")
    assert paid is not None and len(paid["tickets"]) == 1
    assert (await bank.get(f"/api/charges/{reference}")).json()["status"] == "paid"


async def test_an_unpaid_charge_past_its_deadline_is_cancelled_and_its_order_fails(
    container: Container, show: Show, client: httpx.AsyncClient, bank: httpx.AsyncClient,
    clock: FakeClock,
) -> None:  # fmt: skip
    fan = await sign_up(client)
    order = await pix_order(fan, show)
    reference = order["payment"]["pay_url"].rsplit("/", 1)[1]
    clock.advance(minutes=17)
    assert await container.payments.reconcile() == 1
    failed = await status_of(fan, order["order_id"], "failed")
    assert failed is not None and failed["failure_reason"] == "payment_expired"
    assert (await bank.get(f"/api/charges/{reference}")).json()["status"] == "cancelled"
    await pay(bank, order["payment"]["pay_url"])  # too late: the bank refuses a cancelled charge
    assert (await bank.get(f"/api/charges/{reference}")).json()["status"] == "cancelled"


async def test_reconciliation_is_a_background_job_under_the_lease(container: Container) -> None:
    from boxoffice.workers.jobs import jobs_of, run_round
    from boxoffice.workers.lease import LocalLease

    job = next(j for j in jobs_of(container, sweep_every=30) if j.name == "reconcile-payments")
    assert job.every == container.settings.pix_reconcile_every_seconds
    assert await run_round(job, LocalLease()) is True

"""Group commit of approved orders (orders/service.py over storage/groupcommit.py):
several orders settled per transaction, each paid exactly once, and nothing
weakened when the batch fails or a hold expires while its payment runs. On
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from boxoffice.accounts.domain import Account
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.errors import HoldExpired
from boxoffice.holds.domain import Hold, HoldRequest
from boxoffice.inventory.domain import Show
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.payments import Charge, FakeGateway
from boxoffice.orders.settle import UnitOfWorkSettleStore
from boxoffice.orders.settle_pg import PostgresSettleStore
from boxoffice.storage.tables import sections, tickets
from tests.support import (
    PASSWORD, crash_after_first_write, make_container, settings_for, show_spec, unique_email,
)

APPROVE = {"method": "fake", "outcome": "approve"}


async def _buyers(container: Container, show: Show, n: int, quantity: int) -> list[tuple[Account, Hold]]:
    found = []
    for _ in range(n):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        account, _ = await container.accounts.login(email, PASSWORD)
        hold = await container.holds.create(account, HoldRequest(show.id, show.sections[0].id, quantity))
        found.append((account, hold))
    return found


async def _pay(container: Container, account: Account, hold: Hold) -> Order | Exception:
    try:
        return await container.orders.create(account, hold.id, APPROVE, f"pay-{hold.id}")
    except Exception as exc:  # noqa: BLE001 - the caller asserts on the type
        return exc


def _settle_store(container: Container) -> type:
    """Where a batch of orders is settled: asyncpg on PostgreSQL, the unit of work on SQLite."""
    return UnitOfWorkSettleStore if container.database.is_sqlite else PostgresSettleStore


async def _sold(container: Container, section_id: str) -> tuple[int, int, int]:
    """(sold counter, held counter, ticket rows)."""
    async with container.database.engine.connect() as conn:
        row = (await conn.execute(
            select(sections.c.sold_count, sections.c.held_count).where(sections.c.id == section_id)
        )).one()  # fmt: skip
        issued = await conn.scalar(select(func.count()).select_from(tickets))
    return int(row[0]), int(row[1]), int(issued)


async def test_concurrent_orders_share_transactions_and_each_is_paid_once(container: Container) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=40))
    buyers = await _buyers(container, show, 12, 2)
    results = await asyncio.gather(*(_pay(container, a, h) for a, h in buyers))
    assert all(isinstance(r, Order) and r.status is OrderStatus.PAID and len(r.tickets) == 2 for r in results)
    assert await _sold(container, show.sections[0].id) == (24, 0, 24)
    settles = container.orders.settles
    assert settles is not None and settles.decided == 12
    assert settles.batches < settles.decided  # several orders per transaction
    assert isinstance(container.gateway, FakeGateway) and container.gateway.captured == 12


async def test_a_failed_batch_writes_nothing_and_each_order_is_settled_alone(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=40))
    buyers = await _buyers(container, show, 8, 2)
    calls = crash_after_first_write(monkeypatch, _settle_store(container), "write")
    results = await asyncio.gather(*(_pay(container, a, h) for a, h in buyers))
    assert all(isinstance(r, Order) and r.status is OrderStatus.PAID for r in results), results
    assert await _sold(container, show.sections[0].id) == (16, 0, 16)  # nothing twice
    assert isinstance(container.gateway, FakeGateway) and container.gateway.captured == 8
    assert calls[0] > 1  # the failed batch, then each order alone


class SlowBank(FakeGateway):
    """Answers every charge only once all of them were asked for, after moving
    the clock to `when`: every order is open before any hold runs out."""

    def __init__(self, clock: FakeClock, expected: int) -> None:
        super().__init__()
        self._clock = clock
        self._everyone = asyncio.Barrier(expected)
        self.when: datetime | None = None

    async def charge(self, idempotency_key: str, amount_cents: int, currency: str, payment: dict[str, Any]) -> Charge:
        charge = await super().charge(idempotency_key, amount_cents, currency, payment)
        await self._everyone.wait()
        if self.when is not None and self._clock.now() < self.when:
            self._clock.set(self.when)
        return charge


async def test_a_hold_expiring_while_its_payment_runs_is_refunded_and_the_batch_sells_the_rest(
    tmp_path: Path, database_url: str, container: Container, clock: FakeClock
) -> None:
    bank = SlowBank(clock, expected=6)
    shop = make_container(settings_for(tmp_path, database_url), clock, gateway=bank)
    try:
        show = await shop.inventory.create_show(show_spec(ga_capacity=40))
        (late, late_hold), = await _buyers(shop, show, 1, 2)
        clock.advance(minutes=shop.settings.hold_minutes - 1)
        others = await _buyers(shop, show, 5, 2)
        bank.when = late_hold.expires_at  # the first hold runs out while everyone pays
        results = await asyncio.gather(*(_pay(shop, a, h) for a, h in [(late, late_hold), *others]))
        assert isinstance(results[0], HoldExpired)
        assert all(isinstance(r, Order) and r.status is OrderStatus.PAID for r in results[1:])
        assert await shop.holds.sweep() == 1  # the late hold's tickets go back to sale
        assert await _sold(shop, show.sections[0].id) == (10, 0, 10)
        assert len(bank.refunds) == 1 and bank.captured == 5  # the late fan's charge went back
    finally:
        await shop.close()


async def test_batching_off_settles_each_order_in_its_own_transaction(
    tmp_path: Path, database_url: str, container: Container, clock: FakeClock
) -> None:
    single = make_container(settings_for(tmp_path, database_url, order_batch_size=1), clock)
    try:
        assert single.orders.settles is None
        show = await single.inventory.create_show(show_spec(ga_capacity=10))
        buyers = await _buyers(single, show, 4, 2)
        results = await asyncio.gather(*(_pay(single, a, h) for a, h in buyers))
        assert all(isinstance(r, Order) and r.status is OrderStatus.PAID for r in results)
        assert await _sold(single, show.sections[0].id) == (8, 0, 8)
    finally:
        await single.close()


async def test_the_answer_is_the_order_as_it_reads_back(container: Container) -> None:
    """A general-admission order is answered from what the settle wrote, not
    read back: it must be exactly what reading it back gives."""
    show = await container.inventory.create_show(show_spec(ga_capacity=40))
    buyers = await _buyers(container, show, 3, 3)
    answers = await asyncio.gather(*(_pay(container, a, h) for a, h in buyers))
    for (account, _), answer in zip(buyers, answers, strict=True):
        assert isinstance(answer, Order)
        assert answer == await container.orders.get(account, answer.id)


async def test_seated_orders_settled_together_sell_each_seat_once(container: Container) -> None:
    """Seats go through the same group commit, answered as written (labels
    included, no read-back), and no seat is sold twice."""
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    seated = show.sections[1]
    seat_ids = [s.id for s in (await container.inventory.seat_map(show.id, seated.id))[1]][:6]
    buyers = []
    for pair in (seat_ids[0:2], seat_ids[2:4], seat_ids[4:6]):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        account, _ = await container.accounts.login(email, PASSWORD)
        hold = await container.holds.create(account, HoldRequest(show.id, seated.id, seat_ids=tuple(pair)))
        buyers.append((account, hold))
    results = await asyncio.gather(*(_pay(container, a, h) for a, h in buyers))
    assert all(isinstance(r, Order) and r.status is OrderStatus.PAID for r in results), results
    sold = [t.seat_id for r in results if isinstance(r, Order) for t in r.tickets]
    assert sorted(sold) == sorted(seat_ids)
    assert all(t.seat_label for r in results if isinstance(r, Order) for t in r.tickets)
    assert await _sold(container, seated.id) == (6, 0, 6)
    for (account, _), answer in zip(buyers, results, strict=True):
        assert answer == await container.orders.get(account, answer.id)  # type: ignore[union-attr]


async def test_a_crash_between_the_charge_and_the_settle_is_resumed_by_the_retry(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The charge is taken, then every settle attempt loses its connection (the
    app process dies there): nothing is sold, the order stays PENDING, and the
    retry with the same key settles it without charging again."""
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    (account, hold), = await _buyers(container, show, 1, 2)

    async def lost(self: object, *args: object) -> None:
        raise ConnectionResetError("the process died before the commit")

    with monkeypatch.context() as patched:
        patched.setattr(_settle_store(container), "write", lost)
        assert isinstance(await _pay(container, account, hold), ConnectionResetError)
    assert await _sold(container, show.sections[0].id) == (0, 2, 0)
    retried = await _pay(container, account, hold)
    assert isinstance(retried, Order) and retried.status is OrderStatus.PAID and len(retried.tickets) == 2
    assert isinstance(container.gateway, FakeGateway) and container.gateway.captured == 1
    assert await _sold(container, show.sections[0].id) == (2, 0, 2)


async def test_two_orders_for_one_hold_in_one_batch_sell_it_once(container: Container) -> None:
    """Two keys (two tabs) pay the same hold at once: one is paid, the other
    fails `already_paid` and its charge is refunded; a retry of one order
    arriving in the same batch gets that same order."""
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    (account, hold), = await _buyers(container, show, 1, 2)
    first = await container.orders._open(account, hold.id, "tab-1")
    second = await container.orders._open(account, hold.id, "tab-2")
    results = await asyncio.gather(
        container.orders.create(account, hold.id, APPROVE, "tab-1"),
        container.orders.create(account, hold.id, APPROVE, "tab-1"),
        container.orders.create(account, hold.id, APPROVE, "tab-2"),
        return_exceptions=True,
    )
    assert isinstance(results[0], Order) and results[0].status is OrderStatus.PAID
    assert isinstance(results[1], Order) and results[1].id == first.id == results[0].id
    assert type(results[2]).__name__ == "AlreadyPaid" and results[2].details == {"order_id": second.id}
    assert await _sold(container, show.sections[0].id) == (2, 0, 2)
    assert isinstance(container.gateway, FakeGateway) and container.gateway.captured == 1
    assert len(container.gateway.refunds) == 1

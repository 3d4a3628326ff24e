"""Group commit of general-admission holds (holds/batch.py): many holds per
transaction, each request still gets its own answer, and nothing is weakened
when part of a batch is refused, when the batch transaction fails, or when
holds expire as a batch runs. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boxoffice.accounts.domain import Account
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.errors import IdempotencyMismatch, InvalidRequest, LimitExceeded, NotFound, SoldOut
from boxoffice.holds.batch import BatchStore, UnitOfWorkStore
from boxoffice.holds.batch_pg import PostgresBatchStore, postgres_batch_stores
from boxoffice.holds.domain import Hold, HoldRequest, HoldStatus
from boxoffice.holds.service import reclaim_dead_holds
from boxoffice.ids import new_id
from boxoffice.observability.metrics import Metrics
from boxoffice.storage.uow import unit_of_work_factory
from boxoffice.holds.repository import HoldRepository
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import audit_events, holds, sections
from tests.support import (
    PASSWORD, crash_after_first_write, make_container, settings_for, show_spec, unique_email,
)


async def _accounts(container: Container, n: int) -> list[Account]:
    found = []
    for _ in range(n):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        account, _ = await container.accounts.login(email, PASSWORD)
        found.append(account)
    return found


async def _counts(container: Container, section_id: str) -> tuple[int, int, int]:
    """(held counter, sum of active hold quantities, number of hold rows)."""
    async with container.database.engine.connect() as conn:
        held = await conn.scalar(select(sections.c.held_count).where(sections.c.id == section_id))
        summed = await conn.scalar(
            select(func.coalesce(func.sum(holds.c.quantity), 0)).where(
                holds.c.section_id == section_id, holds.c.status == "active"
            )
        )
        rows = await conn.scalar(select(func.count()).select_from(holds))
    return int(held), int(summed), int(rows)


async def _paid(container: Container, account: Account, hold: Hold) -> None:
    order = await container.orders.create(account, hold.id, {"method": "fake", "outcome": "approve"}, f"pay-{hold.id}")
    assert order.status.value == "paid"


def _batch_store(container: Container) -> type:
    """Where a batch writes: straight through asyncpg on PostgreSQL, the unit of work on SQLite."""
    return UnitOfWorkStore if container.database.is_sqlite else PostgresBatchStore


async def _created_events(container: Container) -> int:
    async with container.database.engine.connect() as conn:
        found = await conn.scalar(
            select(func.count()).select_from(audit_events).where(
                audit_events.c.entity == "hold", audit_events.c.action == "created"
            )
        )
    return int(found)


async def _hold(
    container: Container, account: Account, show: Show, quantity: int,
    section_id: str | None = None, idempotency_key: str | None = None,
) -> Hold | Exception:  # fmt: skip
    """The hold, or the error it was refused with (so a gather keeps every answer)."""
    request = HoldRequest(show.id, section_id or show.sections[0].id, quantity=quantity)
    try:
        return await container.holds.create(account, request, idempotency_key=idempotency_key)
    except Exception as exc:  # noqa: BLE001 - the caller asserts on the type
        return exc


async def test_concurrent_holds_share_transactions_and_never_oversell(container: Container) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=120))
    accounts = await _accounts(container, 100)
    results = await asyncio.gather(*(_hold(container, a, show, 2) for a in accounts))
    granted = [r for r in results if isinstance(r, Hold)]
    assert len(granted) == 60
    assert {type(r) for r in results if not isinstance(r, Hold)} == {SoldOut}
    batcher = container.holds.batcher
    assert batcher is not None
    assert batcher.batches < batcher.decided  # several holds per transaction
    # On PostgreSQL every batch went straight through asyncpg; SQLite has no such path.
    assert batcher.direct_batches == (0 if container.database.is_sqlite else batcher.batches)
    assert await _counts(container, show.sections[0].id) == (120, 120, 60)
    assert await _created_events(container) == 60  # each hold's audit event, with it


async def test_each_request_in_a_batch_gets_its_own_answer(container: Container) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=7, limit=4))
    other = await container.inventory.create_show(show_spec())
    a, b, c, d = await _accounts(container, 4)
    results = await asyncio.gather(
        _hold(container, a, show, 3, idempotency_key="same"),
        _hold(container, a, show, 3, idempotency_key="same"),  # a retry, maybe in the same batch
        _hold(container, b, show, 5),  # over the per-account limit
        _hold(container, c, show, 2, section_id=other.sections[0].id),  # another show's section
        _hold(container, c, show, 0),  # not a quantity
        _hold(container, d, show, 3),
        _hold(container, c, show, 1),
    )
    assert isinstance(results[0], Hold) and results[1] == results[0]
    assert isinstance(results[2], LimitExceeded)
    assert isinstance(results[3], NotFound)
    assert isinstance(results[4], InvalidRequest)
    assert isinstance(results[5], Hold) and isinstance(results[6], Hold)
    assert await _counts(container, show.sections[0].id) == (7, 7, 3)
    assert isinstance(await _hold(container, b, show, 1), SoldOut)
    again = await _hold(container, a, show, 2, idempotency_key="same")  # same key, other body
    assert isinstance(again, IdempotencyMismatch)
    assert await _hold(container, a, show, 3, idempotency_key="same") == results[0]  # a later retry


async def test_a_failed_batch_writes_nothing_and_each_request_is_decided_alone(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    accounts = await _accounts(container, 8)
    calls = crash_after_first_write(monkeypatch, _batch_store(container), "add")
    results = await asyncio.gather(*(_hold(container, a, show, 2) for a in accounts))
    assert calls[0] >= 1  # the batch did write before it failed
    assert Counter(type(r).__name__ for r in results) == {"Hold": 5, "SoldOut": 3}
    assert await _counts(container, show.sections[0].id) == (10, 10, 5)
    assert await _created_events(container) == 5  # the lost batch's audit rows went with it


async def test_when_everything_fails_nothing_is_written(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    accounts = await _accounts(container, 4)

    async def broken(self: object, *args: object) -> None:
        raise ConnectionResetError("database went away")

    monkeypatch.setattr(_batch_store(container), "add", broken)
    monkeypatch.setattr(HoldRepository, "add", broken)  # the single-hold path
    results = await asyncio.gather(*(_hold(container, a, show, 1) for a in accounts))
    assert all(isinstance(r, ConnectionResetError) for r in results)
    assert await _counts(container, show.sections[0].id) == (0, 0, 0)


async def test_holds_expiring_as_a_batch_runs_return_their_tickets_to_it(
    container: Container, clock: FakeClock
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=4))
    first, *later = await _accounts(container, 5)
    assert isinstance(await _hold(container, first, show, 4), Hold)
    clock.advance(minutes=container.settings.hold_minutes)  # the instant it expires
    results = await asyncio.gather(*(_hold(container, a, show, 1) for a in later))
    assert all(isinstance(r, Hold) for r in results)
    assert await _counts(container, show.sections[0].id) == (4, 4, 5)
    batcher = container.holds.batcher
    assert batcher is not None and batcher.batches > batcher.direct_batches  # reclaimed by the unit of work
    assert isinstance(await _hold(container, first, show, 1), SoldOut)


async def test_batching_off_uses_the_single_hold_path(
    tmp_path: Path, database_url: str, container: Container, clock: FakeClock
) -> None:
    single = make_container(settings_for(tmp_path, database_url, hold_batch_size=1), clock)
    try:
        assert single.holds.batcher is None
        show = await single.inventory.create_show(show_spec(ga_capacity=5))
        accounts = await _accounts(single, 8)
        results = await asyncio.gather(*(_hold(single, a, show, 1) for a in accounts))
        assert Counter(type(r).__name__ for r in results) == {"Hold": 5, "SoldOut": 3}
    finally:
        await single.close()


@contextlib.asynccontextmanager
async def _open_store(container: Container) -> AsyncIterator[BatchStore]:
    """The store a batch of this database writes through, in its own transaction."""
    if container.database.is_sqlite:
        async with unit_of_work_factory(container.database)(write=True) as uow:
            yield UnitOfWorkStore(uow, reclaim_dead_holds)
    else:
        async with postgres_batch_stores(container.database, None)() as store:
            yield store


async def test_a_batch_that_would_oversell_writes_nothing(container: Container, clock: FakeClock) -> None:
    """The last line of defence under the batch's own arithmetic: the counter
    update is conditional, and the holds and audit rows go in only with it."""
    show = await container.inventory.create_show(show_spec(ga_capacity=2))
    (account,) = await _accounts(container, 1)
    now = clock.now()
    too_many = Hold(
        id=new_id(), account_id=account.id, show_id=show.id, section_id=show.sections[0].id,
        quantity=3, status=HoldStatus.ACTIVE, created_at=now, expires_at=now + timedelta(minutes=10),
        fingerprint="f",
    )  # fmt: skip
    with pytest.raises(RuntimeError, match="counters moved"):
        async with _open_store(container) as store:
            assert await store.lock_section_free(show.sections[0].id) == 2
            await store.add(show.sections[0].id, [too_many], now)
            await store.commit()
    assert await _counts(container, show.sections[0].id) == (0, 0, 0)
    assert await _created_events(container) == 0


async def test_a_batch_counts_bought_tickets_and_only_live_holds_against_the_limit(
    container: Container, clock: FakeClock
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=20, limit=4))
    buyer, holder = await _accounts(container, 2)
    bought = await _hold(container, buyer, show, 3)
    assert isinstance(bought, Hold)
    await _paid(container, buyer, bought)
    # 3 tickets bought: 2 more is over the limit, whoever asks at the same time
    over, fits = await asyncio.gather(_hold(container, buyer, show, 2), _hold(container, holder, show, 4))
    assert isinstance(over, LimitExceeded) and isinstance(fits, Hold)
    assert isinstance(await _hold(container, buyer, show, 1), Hold)  # 3 bought + 1 held = 4
    assert isinstance(await _hold(container, holder, show, 1), LimitExceeded)  # 4 held
    clock.advance(minutes=container.settings.hold_minutes)  # every hold so far expires
    assert isinstance(await _hold(container, holder, show, 4), Hold)  # dead holds do not count
    assert isinstance(await _hold(container, buyer, show, 1), Hold)  # bought tickets still do
    assert isinstance(await _hold(container, buyer, show, 1), LimitExceeded)
    batcher = container.holds.batcher
    assert batcher is not None and batcher.decided >= 6


async def test_a_listener_that_fails_after_the_commit_does_not_repeat_the_batch(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the commit a batch must not look failed: it would be decided again
    one by one, and each fan would get a second hold."""
    show = await container.inventory.create_show(show_spec(ga_capacity=10))
    accounts = await _accounts(container, 3)
    batcher = container.holds.batcher
    assert batcher is not None

    async def broken(new: list[Hold]) -> None:
        raise ConnectionResetError("the cache went away")

    monkeypatch.setattr(batcher, "_committed", broken)
    results = await asyncio.gather(*(_hold(container, a, show, 2) for a in accounts))
    assert all(isinstance(r, Hold) for r in results)
    assert await _counts(container, show.sections[0].id) == (6, 6, 3)


async def test_metrics_that_fail_after_the_commit_do_not_repeat_the_batch(
    tmp_path: Path, database_url: str, container: Container, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def broken(self: Metrics, events: object) -> None:
        raise RuntimeError("metrics broke")

    monkeypatch.setattr(Metrics, "committed", broken)  # before the container binds it
    counted = make_container(settings_for(tmp_path, database_url), clock)
    try:
        assert counted.metrics is not None
        show = await counted.inventory.create_show(show_spec(ga_capacity=10))
        accounts = await _accounts(counted, 3)
        results = await asyncio.gather(*(_hold(counted, a, show, 2) for a in accounts))
        assert all(isinstance(r, Hold) for r in results)
        assert await _counts(counted, show.sections[0].id) == (6, 6, 3)
    finally:
        await counted.close()

"""The outbox on SQLite and PostgreSQL: written with the change or not at all,
delivered once, retried with backoff through an outage, and nothing lost or
sent twice when a worker dies mid-delivery."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from boxoffice import outbox
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.outbox.domain import Backoff, Message, Status, Undeliverable
from boxoffice.outbox.service import OutboxWorker

KIND = outbox.EMAIL_NOTICE


class Receiver:
    """A receiver that keeps what it got by Message-ID (as the mail catcher does)."""

    def __init__(self) -> None:
        self.transmissions: Counter[str] = Counter()
        self.failures_left = 0

    async def __call__(self, message: Message) -> None:
        await asyncio.sleep(0)
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionRefusedError("SMTP server down")
        self.transmissions[message.message_id] += 1

    @property
    def inbox(self) -> set[str]:
        return set(self.transmissions)


class Crash(BaseException):
    """The process dies: nothing after this point runs."""


async def _enqueue(container: Container, n: int = 1, commit: bool = True) -> list[bool]:
    added = []
    async with container.outbox._uow(write=True) as uow:  # noqa: SLF001 - the change's transaction
        for i in range(n):
            added.append(
                await outbox.enqueue(
                    uow, kind=KIND, recipient=f"fan{i}@example.com", dedupe_key=f"notice:{i}",
                    payload={"subject": "hi", "text": str(i)}, now=container.clock.now(),
                )  # fmt: skip
            )
        if commit:
            await uow.commit()
    return added


async def _message(container: Container, key: str = "notice:0") -> Message:
    async with container.outbox._uow() as uow:  # noqa: SLF001
        found = await uow.outbox.by_dedupe_key(key)
    assert found is not None
    return found


def _worker(container: Container, receiver: Receiver, **kw: object) -> OutboxWorker:
    return OutboxWorker(
        container.outbox._uow, container.clock, {KIND: receiver},  # noqa: SLF001
        backoff=Backoff(30, 3600, 4), claim_seconds=300, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_written_with_the_change_or_not_at_all(container: Container) -> None:
    receiver = Receiver()
    await _enqueue(container, 2, commit=False)  # the change rolled back
    assert await _worker(container, receiver).drain() == 0
    assert await _enqueue(container, 2) == [True, True]
    assert await _enqueue(container, 2) == [False, False]  # same dedupe keys: dropped
    assert await _worker(container, receiver).drain() == 2
    assert sorted(receiver.transmissions.values()) == [1, 1]
    assert (await _message(container)).status is Status.SENT
    assert await _worker(container, receiver).drain() == 0


async def test_an_outage_is_retried_with_exponential_backoff(container: Container, clock: FakeClock) -> None:
    receiver = Receiver()
    receiver.failures_left = 3
    await _enqueue(container)
    worker = _worker(container, receiver)
    waits = []
    for attempt in (1, 2, 3):
        assert await worker.run_once() == 0
        failed = await _message(container)
        assert (failed.status, failed.attempts) == (Status.PENDING, attempt)
        assert "SMTP server down" in (failed.last_error or "")
        waits.append(failed.next_attempt_at - clock.now())
        assert await worker.run_once() == 0  # not due yet: nothing is tried
        clock.advance(seconds=waits[-1].total_seconds())
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert await worker.run_once() == 1
    assert receiver.transmissions == {(await _message(container)).message_id: 1}
    assert (await _message(container)).status is Status.SENT


async def test_gives_up_after_max_attempts_and_on_undeliverable(container: Container, clock: FakeClock) -> None:
    receiver = Receiver()
    receiver.failures_left = 100
    await _enqueue(container)
    worker = _worker(container, receiver)
    for _ in range(4):
        await worker.run_once()
        clock.advance(hours=2)
    assert (await _message(container)).status is Status.DEAD
    assert await worker.drain() == 0

    async def refuse(message: Message) -> None:
        raise Undeliverable("550 no such mailbox")

    async with container.outbox._uow(write=True) as uow:  # noqa: SLF001
        await outbox.enqueue(uow, kind=KIND, recipient="x@example.com", dedupe_key="bad", now=clock.now())
        await uow.commit()
    await OutboxWorker(container.outbox._uow, clock, {KIND: refuse}).run_once()  # noqa: SLF001
    dead = await _message(container, "bad")
    assert (dead.status, dead.attempts) == (Status.DEAD, 1)


async def test_a_crash_after_sending_sends_again_with_the_same_message_id(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = Receiver()
    await _enqueue(container)
    dying = _worker(container, receiver)

    async def die(*args: object, **kw: object) -> None:
        raise Crash()

    monkeypatch.setattr(dying, "_finish", die)  # sent, then the process dies before marking it
    with pytest.raises(Crash):
        await dying.run_once()
    assert (await _message(container)).status is Status.SENDING
    survivor = _worker(container, receiver)
    assert await survivor.run_once() == 0  # claimed by the dead worker until its claim ends
    clock.advance(seconds=301)
    assert await survivor.run_once() == 1
    assert receiver.inbox == {(await _message(container)).message_id}  # one mail in the inbox
    assert (await _message(container)).status is Status.SENT
    assert await survivor.drain() == 0


async def test_a_crash_before_sending_loses_nothing(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = Receiver()
    await _enqueue(container, 3)
    dying = _worker(container, receiver)

    async def die(message: Message) -> bool:
        raise Crash()

    monkeypatch.setattr(dying, "_deliver", die)  # claimed, then the process dies
    with pytest.raises(Crash):
        await dying.run_once()
    clock.advance(seconds=301)
    assert await _worker(container, receiver).drain() == 3
    assert sorted(receiver.transmissions.values()) == [1, 1, 1]


async def test_many_workers_at_once_deliver_each_message_once(container: Container) -> None:
    receiver = Receiver()
    await _enqueue(container, 40)
    workers = [_worker(container, receiver, batch_size=7) for _ in range(4)]
    delivered = await asyncio.gather(*(w.drain() for w in workers))
    assert sum(delivered) == 40
    assert len(receiver.transmissions) == 40
    assert set(receiver.transmissions.values()) == {1}


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(base_seconds=10, cap_seconds=60, max_attempts=3)
    assert [backoff.delay(n).total_seconds() for n in (1, 2, 3, 4, 50)] == [10, 20, 40, 60, 60]
    assert not backoff.gives_up(2) and backoff.gives_up(3)


@pytest.mark.postgres
async def test_raw_asyncpg_writers_insert_the_same_rows(container: Container) -> None:
    """orders settled on asyncpg (no unit of work) enqueue with INSERT_SQL, idempotently."""
    if container.database.is_sqlite:
        pytest.skip("asyncpg only")
    import asyncpg
    from sqlalchemy.engine import make_url

    from boxoffice.outbox.repository import INSERT_SQL, insert_args

    url = make_url(container.database.url)
    conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database=url.database)
    try:
        messages = outbox.paid_order_messages(
            order_id="o1", account_id="a1", show_id="s1", amount_cents=100, currency="BRL",
            ticket_codes=["t1"], now=container.clock.now(),
        )  # fmt: skip
        for _ in range(2):
            async with conn.transaction():
                await conn.executemany(INSERT_SQL, [insert_args(m) for m in messages])
    finally:
        await conn.close()
    confirmation = await _message(container, "order-confirmation:o1")
    assert (confirmation.kind, confirmation.payload) == (outbox.EMAIL_ORDER_CONFIRMATION, {"order_id": "o1"})
    assert (await _message(container, "order.paid:o1")).payload["data"]["tickets"] == ["t1"]


async def test_the_backlog_is_a_metric(container: Container, client: httpx.AsyncClient, clock: FakeClock) -> None:
    receiver = Receiver()
    receiver.failures_left = 1
    await _enqueue(container, 2)
    clock.advance(seconds=90)
    await _worker(container, receiver, batch_size=1).run_once()  # one fails, one waits
    text = (await client.get("/metrics")).text
    assert 'boxoffice_outbox_messages{status="pending"} 2.0' in text
    assert "boxoffice_outbox_oldest_due_seconds 90.0" in text


async def test_sent_messages_are_forgotten_after_a_month(container: Container, clock: FakeClock) -> None:
    receiver = Receiver()
    await _enqueue(container, 3)
    worker = _worker(container, receiver)
    assert await worker.drain() == 3
    clock.advance(days=29)
    assert await worker.prune() == 0
    clock.advance(days=2)
    assert await worker.run_once() == 0  # a quiet round prunes
    async with container.outbox._uow() as uow:  # noqa: SLF001
        assert await uow.outbox.by_dedupe_key("notice:0") is None
    assert await _enqueue(container, 1) == [True]  # its dedupe key is free again

"""The outbox worker: claims due messages and hands each to its kind's deliverer.

Runs as the background job "outbox" under the job lease (workers/jobs.py),
so one instance delivers at a time; it stays correct without the lease too
(two workers, a lease lost mid-round): a claim is a conditional UPDATE, so a
message is claimed by one worker at a time, and it is delivered outside any
transaction. Each claim lasts `claim_seconds`; a worker that dies mid-round
leaves its messages `sending`, due again when the claim runs out.

A deliverer raises to say "not delivered": Undeliverable -> dead at once,
any other exception -> retried after an exponential backoff, dead after
`Backoff.max_attempts` tries. Messages of kinds no deliverer handles are
left alone (a worker of another version may handle them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from boxoffice.clock import Clock
from boxoffice.ids import new_id
from boxoffice.outbox.domain import Backoff, Message, Status, Undeliverable, short_error
from boxoffice.storage.uow import UnitOfWorkFactory

log = logging.getLogger("boxoffice.outbox")

Deliver = Callable[[Message], Awaitable[None]]
PRUNE_EVERY = timedelta(hours=1)


class OutboxWorker:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        deliverers: Mapping[str, Deliver],
        *,
        backoff: Backoff | None = None,
        batch_size: int = 32,
        concurrency: int = 8,
        claim_seconds: float = 300.0,
        timeout_seconds: float = 30.0,
        keep_sent_days: float = 30.0,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.deliverers = dict(deliverers)
        self.backoff = backoff or Backoff()
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._claim = timedelta(seconds=claim_seconds)
        self._timeout = timeout_seconds
        self._keep = timedelta(days=keep_sent_days)
        self._pruned_at: datetime | None = None

    async def run_once(self) -> int:
        """Deliver one batch of due messages; returns how many were delivered."""
        claimed = await self._claim_due()
        if not claimed:
            now = self._clock.now()
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                self._pruned_at = now
                await self.prune()
            return 0
        gate = asyncio.Semaphore(self._concurrency)

        async def one(message: Message) -> bool:
            async with gate:
                return await self._deliver(message)

        results = await asyncio.gather(*(one(m) for m in claimed))
        return sum(results)

    async def prune(self, limit: int = 1000) -> int:
        """Forget sent messages older than `keep_sent_days` (a quiet round's chore;
        dead ones stay for the operator)."""
        async with self._uow(write=True) as uow:
            gone = await uow.outbox.prune(self._clock.now() - self._keep, limit)
            await uow.commit()
        return gone

    async def drain(self, rounds: int = 100) -> int:
        """Run rounds until nothing is due (tests, the demo): how many were delivered."""
        total = 0
        for _ in range(rounds):
            done = await self.run_once()
            total += done
            if not done and not await self._any_due():
                break
        return total

    async def backlog(self) -> tuple[dict[str, int], float]:
        """Unsent messages by status, and how long the oldest due one has waited (s)."""
        async with self._uow() as uow:
            counts, oldest = await uow.outbox.backlog()
        waited = 0.0
        if oldest is not None:
            waited = max((self._clock.now() - oldest).total_seconds(), 0.0)
        return counts, waited

    async def _any_due(self) -> bool:
        async with self._uow() as uow:
            return bool(await uow.outbox.due(list(self.deliverers), self._clock.now(), 1))

    async def _claim_due(self) -> list[Message]:
        now = self._clock.now()
        kinds = list(self.deliverers)
        async with self._uow() as uow:
            ids = await uow.outbox.due(kinds, now, self._batch_size)
        if not ids:
            return []
        async with self._uow(write=True) as uow:
            claimed = await uow.outbox.claim(ids, new_id(), now, now + self._claim)
            await uow.commit()
        return claimed

    async def _deliver(self, message: Message) -> bool:
        try:
            await asyncio.wait_for(self.deliverers[message.kind](message), self._timeout)
        except Undeliverable as exc:
            await self._finish(message, Status.DEAD, error=short_error(exc))
            log.warning("outbox %s %s undeliverable: %s", message.kind, message.id, exc)
            return False
        except Exception as exc:  # noqa: BLE001 - any failure is retried later
            dead = self.backoff.gives_up(message.attempts)
            retry_at = None if dead else self._clock.now() + self.backoff.delay(message.attempts)
            await self._finish(
                message, Status.DEAD if dead else Status.PENDING,
                retry_at=retry_at, error=short_error(exc),
            )  # fmt: skip
            log.warning(
                "outbox %s %s failed (try %d)%s: %s", message.kind, message.id,
                message.attempts, ", giving up" if dead else "", short_error(exc),
            )  # fmt: skip
            return False
        await self._finish(message, Status.SENT)
        return True

    async def _finish(self, message: Message, status: Status, **kw: object) -> None:
        async with self._uow(write=True) as uow:
            ours = await uow.outbox.finish(message, status, now=self._clock.now(), **kw)  # type: ignore[arg-type]
            await uow.commit()
        if not ours:
            log.warning("outbox %s: claim expired before its outcome was written", message.id)

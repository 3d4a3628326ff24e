"""Group commit: many requests decided in one transaction, each with its own answer.

Requests that would each take the same lock (a section's row) queue up per
key, and one writer task per key decides a batch of them at a time with
`decide` — one transaction, so one lock wait and one commit (an fsync) for
the lot. While a batch commits the next requests gather, so an idle system
decides a request at once and a busy one amortises the lock and the commit
over up to `max_batch` requests.

`decide` returns, per request, its result or the exception it is answered
with; those do not disturb the others. If `decide` itself raises, the batch
transaction wrote nothing, and each request is decided on its own with
`alone`: one bad request can never fail its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

log = logging.getLogger("boxoffice.groupcommit")


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        decide: Callable[[list[Item]], Awaitable[list[Result | Exception]]],
        alone: Callable[[Item], Awaitable[Result]],
        max_batch: int,
        what: str,
    ) -> None:
        self._decide = decide
        self._alone = alone
        self._max_batch = max_batch
        self._what = what
        self._queues: dict[Hashable, list[tuple[Item, asyncio.Future[Result]]]] = {}
        self._writers: dict[Hashable, asyncio.Task[None]] = {}
        self.batches = 0  # how many transactions decided how many requests: for tests and metrics
        self.decided = 0

    async def submit(self, key: Hashable, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, []).append((item, future))
        if key not in self._writers:
            self._writers[key] = asyncio.create_task(self._write(key))
        return await asyncio.shield(future)  # a client hanging up does not cancel the batch

    async def _write(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                batch, queue[:] = queue[: self._max_batch], queue[self._max_batch :]
                await self._settle(batch)
        finally:
            del self._writers[key]
            if not queue:
                del self._queues[key]

    async def _settle(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            outcomes = await self._decide([item for item, _ in batch])
        except Exception as exc:  # the batch wrote nothing: decide each alone
            log.warning("%s batch of %d failed (%s); deciding one by one", self._what, len(batch), exc)
            await asyncio.gather(*(self._one(item, future) for item, future in batch))
            return
        self.batches += 1
        self.decided += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def _one(self, item: Item, future: asyncio.Future[Result]) -> None:
        try:
            future.set_result(await self._alone(item))
        except Exception as exc:
            future.set_exception(exc)

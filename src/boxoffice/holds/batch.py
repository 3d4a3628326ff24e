"""Group commit for holds (general admission and numbered seats): past the
hot-row limit.

Every hold in a section must take that section's row lock, so one section
sells at most one transaction at a time, and each transaction pays a commit
(an fsync on PostgreSQL, the whole-file lock on SQLite). In a flash sale all
fans want the same few sections, so the lock, not the HTTP layer, would be
the ceiling.

So, per process and per section, hold requests queue up and one writer task
decides them together, in one transaction:

    purchase locks of every account in the batch (sorted)  ->  section lock
    ->  per request, in arrival order: idempotent replay? account limit? fits?
    ->  one counter update + one multi-row insert  ->  one commit

Nothing is weakened: the same locks in the same order as a single hold
(storage/locking.py), the counter update is still conditional, and the
schema's CHECK still refuses an oversold section. Requests that cannot be
granted (sold out, over the limit, bad input) get their own typed error and
do not disturb the others. If the batch transaction itself fails (a lock
timeout, a unique-key race with another process, a lost connection), nothing
of it was written, and each request is retried alone on the single-hold path,
so one bad request can never fail its neighbours.

Numbered sections go the same way: under the section lock the batch reads
the section's seats once and decides each request in arrival order, chosen
seats (all free, or SeatsUnavailable) and best available (inventory/best.py)
alike, taking each request's seats out before the next is decided; then one
claim for the batch's seats. A row is never given twice, whichever batches
its seats fall into: each batch reads them under the same lock.

The queueing, the writer per section and the fallback live in
storage/groupcommit.py (orders settle the same way). The batch's reads and
writes go through a `BatchStore`: the unit of work (SQLAlchemy, every
database), or on PostgreSQL the same statements sent straight through
asyncpg (holds/batch_pg.py), which is where most of a batch's CPU went.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from boxoffice.clock import Clock
from boxoffice.errors import DomainError, IdempotencyMismatch, NotFound, SeatsUnavailable, SoldOut
from boxoffice.holds.domain import Hold, HoldRequest, HoldStatus, check_account_limit
from boxoffice.ids import new_id
from boxoffice.inventory.best import PlacedSeat, SeatPicker
from boxoffice.inventory.domain import SectionKind, Show
from boxoffice.storage.groupcommit import GroupCommit
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("boxoffice.holds")

Reclaim = Callable[[UnitOfWork, str, datetime], Awaitable[int]]
SingleHold = Callable[[str, HoldRequest, "str | None", str], Awaitable[Hold]]
Committed = Callable[[list[Hold]], Awaitable[None]]


class BatchStore(Protocol):
    """What one batch transaction reads and writes, in the order `decide` uses it."""

    async def show(self, show_id: str) -> Show | None: ...

    async def lock_purchases(self, account_ids: list[str], show_id: str) -> None: ...

    async def replays(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Hold]: ...

    async def tickets_used_by(self, account_ids: list[str], show_id: str, now: datetime) -> dict[str, int]: ...

    async def lock_section_free(self, section_id: str) -> int | None: ...

    async def reclaim(self, section_id: str, now: datetime) -> None:
        """Return the tickets of the section's dead holds to its counters."""

    async def section_seats(self, section_id: str, now: datetime) -> list[PlacedSeat]:
        """A numbered section's seats and which are free (under the section lock)."""

    async def add(self, section_id: str, new: list[Hold], now: datetime) -> None:
        """Count the new holds in the section, claim their seats and insert
        them (with their audit events)."""

    async def commit(self) -> None: ...


BatchStores = Callable[[], AbstractAsyncContextManager[BatchStore]]


class ReclaimElsewhere(Exception):
    """Raised by a store that leaves reclaiming dead holds to the unit of work:
    its transaction is rolled back and the batch runs again through the unit of work."""


class UnitOfWorkStore:
    """A BatchStore on the unit of work (SQLAlchemy): every database."""

    def __init__(self, uow: UnitOfWork, reclaim: Reclaim) -> None:
        self._uow = uow
        self._reclaim = reclaim

    async def show(self, show_id: str) -> Show | None:
        return await self._uow.shows.get(show_id)

    async def lock_purchases(self, account_ids: list[str], show_id: str) -> None:
        await self._uow.lock_purchases(account_ids, show_id)

    async def replays(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Hold]:
        return await self._uow.holds.by_idempotency_keys(keys)

    async def tickets_used_by(self, account_ids: list[str], show_id: str, now: datetime) -> dict[str, int]:
        return await self._uow.holds.tickets_used_by(account_ids, show_id, now)

    async def lock_section_free(self, section_id: str) -> int | None:
        return await self._uow.lock_section_free(section_id)

    async def reclaim(self, section_id: str, now: datetime) -> None:
        await self._reclaim(self._uow, section_id, now)

    async def section_seats(self, section_id: str, now: datetime) -> list[PlacedSeat]:
        return await self._uow.shows.section_seats(section_id, now)

    async def add(self, section_id: str, new: list[Hold], now: datetime) -> None:
        if not await self._uow.shows.take(section_id, sum(h.quantity for h in new)):
            raise RuntimeError("section counters moved under the section lock")
        claims = [(h.id, h.expires_at, h.seat_ids) for h in new if h.seat_ids]
        if claims and not await self._uow.shows.claim_many(section_id, claims, now):
            raise RuntimeError("seats moved under the section lock")
        await self._uow.holds.add_many(new)

    async def commit(self) -> None:
        await self._uow.commit()


@dataclass(eq=False)
class Pending:
    account_id: str
    request: HoldRequest
    idempotency_key: str | None
    fingerprint: str

    @property
    def replay_key(self) -> tuple[str, str] | None:
        return (self.account_id, self.idempotency_key) if self.idempotency_key else None


class HoldBatcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        lifetime: timedelta,
        max_quantity: int,
        *,
        reclaim: Reclaim,
        single: SingleHold,
        max_batch: int = 100,
        direct: BatchStores | None = None,
        committed: Committed | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._lifetime = lifetime
        self._max_quantity = max_quantity
        self._reclaim = reclaim
        self._single = single
        self._direct = direct
        self._committed = committed  # told of each batch's new holds before anyone is answered
        self.direct_batches = 0  # batches decided through `direct` (for tests)
        self._group: GroupCommit[Pending, Hold] = GroupCommit(
            self.decide, self._alone, max_batch, "hold"
        )

    @property
    def batches(self) -> int:
        """How many transactions decided holds (for tests and metrics)."""
        return self._group.batches

    @property
    def decided(self) -> int:
        """How many holds those transactions decided."""
        return self._group.decided

    async def submit(
        self, account_id: str, request: HoldRequest, idempotency_key: str | None, fingerprint: str
    ) -> Hold:
        pending = Pending(account_id, request, idempotency_key, fingerprint)
        return await self._group.submit((request.show_id, request.section_id), pending)

    async def _alone(self, p: Pending) -> Hold:
        return await self._single(p.account_id, p.request, p.idempotency_key, p.fingerprint)

    async def decide(self, batch: list[Pending]) -> list[Hold | Exception]:
        """One transaction for the whole batch (all in one show and section);
        returns, per request, its hold or the error it gets."""
        if self._direct is not None:
            try:
                async with self._direct() as store:
                    outcomes = await self._decide(store, batch)
                self.direct_batches += 1
                return outcomes
            except ReclaimElsewhere:
                pass  # rare: dead holds to reclaim first; the unit of work does that
        async with self._uow(write=True) as uow:
            return await self._decide(UnitOfWorkStore(uow, self._reclaim), batch)

    async def _decide(self, store: BatchStore, batch: list[Pending]) -> list[Hold | Exception]:
        show_id, section_id = batch[0].request.show_id, batch[0].request.section_id
        now = self._clock.now()
        show = await store.show(show_id)
        outcomes: list[Hold | DomainError | None] = [None] * len(batch)
        quantities = self._validate(show, batch, outcomes, now)
        live = [i for i, outcome in enumerate(outcomes) if outcome is None]
        if not live:
            return _settled(outcomes)
        assert show is not None
        await store.lock_purchases([batch[i].account_id for i in live], show_id)
        replays = await store.replays([key for i in live if (key := batch[i].replay_key) is not None])
        used = await store.tickets_used_by([batch[i].account_id for i in live], show_id, now)
        free = await store.lock_section_free(section_id)
        if free is None:
            raise NotFound(f"Section {section_id} does not exist.")
        seated = show.section(section_id).kind is SectionKind.SEATED
        picker = SeatPicker(await store.section_seats(section_id, now)) if seated else None
        new: list[Hold] = []
        reclaimed = False
        for i in live:
            p, quantity = batch[i], quantities[i]
            replay = replays.get(p.replay_key) if p.replay_key else None
            if replay is not None:
                outcomes[i] = replay if replay.fingerprint == p.fingerprint else IdempotencyMismatch()
                continue
            try:
                check_account_limit(show.per_account_limit, used[p.account_id], quantity)
            except DomainError as exc:
                outcomes[i] = exc
                continue
            if quantity > free and not reclaimed:  # tickets of dead holds come back first
                await store.reclaim(section_id, now)
                taken = sum(h.quantity for h in new)  # not yet in the counters
                free = (await store.lock_section_free(section_id) or 0) - taken
                reclaimed = True
            if quantity > free:
                outcomes[i] = SoldOut(available=free)
                continue
            try:
                seats = _seats_for(p.request, quantity, picker)
            except DomainError as exc:
                outcomes[i] = exc
                continue
            hold = self._hold(p, quantity, now, seats)
            new.append(hold)
            outcomes[i] = hold
            free -= quantity
            used[p.account_id] += quantity
            if p.replay_key:
                replays[p.replay_key] = hold  # the same key twice in one batch: one hold
        if new:
            await store.add(section_id, new, now)
            await store.commit()
            await self._after_commit(new)
        return _settled(outcomes)

    async def _after_commit(self, new: list[Hold]) -> None:
        """Tell `committed` of the new holds. Past the commit nothing may fail
        the batch: a failed batch is decided again one by one, and these holds
        are already written."""
        if self._committed is None:
            return
        try:
            await self._committed(new)
        except Exception:  # noqa: BLE001 - logged; the holds stand
            log.exception("after a hold batch committed, telling its listener failed")

    def _validate(
        self, show: Show | None, batch: list[Pending], outcomes: list[Hold | DomainError | None],
        now: datetime,
    ) -> list[int]:  # fmt: skip
        quantities = [0] * len(batch)
        for i, p in enumerate(batch):
            try:
                if show is None:
                    raise NotFound(f"Show {p.request.show_id} does not exist.")
                section = show.section(p.request.section_id)
                quantities[i] = p.request.validated_quantity(section, self._max_quantity)
                show.check_on_sale(now)
            except DomainError as exc:
                outcomes[i] = exc
        return quantities

    def _hold(self, p: Pending, quantity: int, now: datetime, seats: tuple[PlacedSeat, ...]) -> Hold:
        ordered = sorted(seats, key=lambda s: s.id)
        return Hold(
            id=new_id(), account_id=p.account_id, show_id=p.request.show_id,
            section_id=p.request.section_id, quantity=quantity, status=HoldStatus.ACTIVE,
            created_at=now, expires_at=now + self._lifetime, fingerprint=p.fingerprint,
            idempotency_key=p.idempotency_key, seat_ids=tuple(s.id for s in ordered),
            seat_labels=tuple(s.label for s in ordered),
        )  # fmt: skip


def _seats_for(request: HoldRequest, quantity: int, picker: SeatPicker | None) -> tuple[PlacedSeat, ...]:
    """The seats a request gets in a numbered section (none in general
    admission), taken out of the picker; or the typed refusal."""
    if picker is None:
        return ()
    if request.seat_ids is None:
        return picker.pick(quantity)
    unknown = picker.known(request.seat_ids)
    if unknown:
        raise NotFound(f"Seats {unknown} are not in this section.")
    if not picker.free(request.seat_ids):
        raise SeatsUnavailable()
    picker.take(request.seat_ids)
    return picker.seats(request.seat_ids)


def _settled(outcomes: list[Hold | DomainError | None]) -> list[Hold | Exception]:
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]

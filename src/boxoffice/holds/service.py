"""The reservation service: hold tickets, read a hold, release it, reclaim dead ones.

Every inventory decision is taken inside the locks of storage/locking.py, in
their documented order: purchase lock -> section lock -> rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from boxoffice.accounts.domain import Account
from boxoffice.clock import Clock
from boxoffice.errors import (
    DomainError,
    HoldExpired,
    HoldNotActive,
    IdempotencyMismatch,
    NotFound,
    SeatsUnavailable,
    SoldOut,
)
from boxoffice.cache.sessions import SessionCache
from boxoffice.holds.admission import AdmissionGate, NoGate, SoldOutGate
from boxoffice.holds.batch import BatchStores, HoldBatcher
from boxoffice.holds.domain import Hold, HoldRequest, HoldStatus, check_account_limit
from boxoffice.ids import new_id
from boxoffice.inventory.best import best_seats
from boxoffice.inventory.domain import SectionKind
from boxoffice.inventory.events import InventoryListener, notify_taken
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory

# (account id, Idempotency-Key) -> the hold made under that key, if any
DirectReplay = Callable[[str, str], Awaitable[Hold | None]]


class HoldService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        admission: AdmissionGate,
        listener: InventoryListener,
        hold_minutes: float,
        max_quantity: int,
        gate: SoldOutGate | None = None,
        purchases: SessionCache | None = None,
        batch_size: int = 0,
        direct_batches: BatchStores | None = None,
        direct_replay: DirectReplay | None = None,
    ) -> None:
        self._uow = uow
        self._direct_replay = direct_replay
        self._gate = gate or NoGate()
        self._purchases = purchases
        self._clock = clock
        self._admission = admission
        self._listener = listener
        self._lifetime = timedelta(minutes=hold_minutes)
        self._max_quantity = max_quantity
        self._batcher = (
            HoldBatcher(
                uow, clock, self._lifetime, max_quantity, max_batch=batch_size,
                reclaim=reclaim_dead_holds, single=self._create_one, direct=direct_batches,
                committed=self._forget_buyers,
            )  # fmt: skip
            if batch_size > 1
            else None
        )

    @property
    def batcher(self) -> HoldBatcher | None:
        """The group-commit writer for general-admission holds (None when off)."""
        return self._batcher

    async def create(
        self,
        account: Account,
        request: HoldRequest,
        idempotency_key: str | None = None,
        admission_token: str | None = None,
        before_database: Callable[[], Awaitable[None]] | None = None,
    ) -> Hold:
        """Hold tickets, or raise. A retried request with the same key returns the
        same hold: the database decides that inside the hold's transaction, and
        a request refused before it (sold out in the cache, a rate limit, the
        waiting room, a sale that has closed since) looks for its earlier hold
        before answering with the refusal. `before_database` (the rate limits)
        runs only for a request that gets past the sold-out gate: a rejection
        from the cache costs nothing, so it is not worth a Redis round trip."""
        fingerprint = request.fingerprint()
        try:
            hold = await self._decide(account, request, idempotency_key, fingerprint,
                                      admission_token, before_database)  # fmt: skip
        except (DomainError, IntegrityError):
            # IntegrityError: a concurrent request with the same key won the race.
            if idempotency_key is None:
                raise
            replay = await self._replay(account, idempotency_key, fingerprint)
            if replay is None:
                raise
            return replay
        await notify_taken(self._listener, hold.show_id, hold.section_id, hold.seat_ids)
        return hold

    async def _decide(
        self, account: Account, request: HoldRequest, idempotency_key: str | None,
        fingerprint: str, admission_token: str | None,
        before_database: Callable[[], Awaitable[None]] | None,
    ) -> Hold:  # fmt: skip
        await self._gate.check(request)
        if before_database is not None:
            await before_database()
        await self._admission.check(account, request.show_id, admission_token)
        if self._batcher is not None:
            return await self._batcher.submit(account.id, request, idempotency_key, fingerprint)
        return await self._create_one(account.id, request, idempotency_key, fingerprint)

    async def live_holds(self, account: Account, show_id: str) -> list[tuple[str, datetime]]:
        """What the buyer holds for a show right now, as (hold id, expiry)."""
        if self._purchases is not None:
            cached = await self._purchases.live_holds(account.id, show_id)
            if cached is not None:
                return cached
        async with self._uow() as uow:
            held = await uow.holds.live_for_account(account.id, show_id, self._clock.now())
        if self._purchases is not None:
            await self._purchases.remember_holds(account.id, show_id, held)
        return held

    async def _forget_purchases(self, account_id: str, show_id: str) -> None:
        if self._purchases is not None:
            await self._purchases.forget_holds((account_id, show_id))

    async def _forget_buyers(self, new: list[Hold]) -> None:
        """A batch's new holds: their buyers' cached live holds go, in one call."""
        if self._purchases is not None:
            await self._purchases.forget_holds(*{(h.account_id, h.show_id) for h in new})

    async def _replay(self, account: Account, key: str, fingerprint: str) -> Hold | None:
        if self._direct_replay is not None:  # one statement on PostgreSQL (holds/batch_pg.py)
            existing = await self._direct_replay(account.id, key)
        else:
            async with self._uow() as uow:
                existing = await uow.holds.by_idempotency_key(account.id, key)
        if existing is not None and existing.fingerprint != fingerprint:
            raise IdempotencyMismatch()
        return existing

    async def _create_one(
        self,
        account_id: str,
        request: HoldRequest,
        idempotency_key: str | None,
        fingerprint: str,
    ) -> Hold:
        """One hold in its own transaction (seats; and general admission when
        batching is off or a batch failed)."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            show = await uow.shows.get(request.show_id)
            if show is None:
                raise NotFound(f"Show {request.show_id} does not exist.")
            section = show.section(request.section_id)
            quantity = request.validated_quantity(section, self._max_quantity)
            if request.seat_ids:
                found = await uow.shows.seats_by_id(request.seat_ids)
                unknown = [s for s in request.seat_ids if found.get(s, None) is None
                           or found[s].section_id != section.id]  # fmt: skip
                if unknown:
                    raise NotFound(f"Seats {unknown} are not in section {section.name}.")
            show.check_on_sale(now)

            await uow.lock_purchase(account_id, show.id)
            if idempotency_key is not None:
                existing = await uow.holds.by_idempotency_key(account_id, idempotency_key)
                if existing is not None:
                    if existing.fingerprint != fingerprint:
                        raise IdempotencyMismatch()
                    return existing
            used = await uow.holds.tickets_used(account_id, show.id, now)
            check_account_limit(show.per_account_limit, used, quantity)
            await uow.lock_section(section.id)  # held from here to the commit: keep it short

            hold = Hold(
                id=new_id(),
                account_id=account_id,
                show_id=show.id,
                section_id=section.id,
                quantity=quantity,
                status=HoldStatus.ACTIVE,
                created_at=now,
                expires_at=now + self._lifetime,
                fingerprint=fingerprint,
                idempotency_key=idempotency_key,
                seat_ids=tuple(sorted(request.seat_ids or ())),
            )
            if not await uow.shows.take(section.id, quantity):
                # Tickets of dead holds come back only when they are needed.
                await reclaim_dead_holds(uow, section.id, now)
                if not await uow.shows.take(section.id, quantity):
                    raise SoldOut(available=max(section.capacity - section.sold_count, 0))
            if section.kind is SectionKind.SEATED and request.best_available:
                chosen = sorted(best_seats(await uow.shows.section_seats(section.id, now), quantity),
                                key=lambda s: s.id)  # fmt: skip
                hold.seat_ids = tuple(s.id for s in chosen)
                hold.seat_labels = tuple(s.label for s in chosen)
            if section.kind is SectionKind.SEATED:
                claimed = await uow.shows.claim_seats(
                    section.id, list(hold.seat_ids), hold.id, hold.expires_at, now
                )
                if not claimed:
                    raise SeatsUnavailable()
            await uow.holds.add(hold)
            await uow.commit()
        await self._forget_purchases(account_id, hold.show_id)
        return hold

    async def tickets_used(self, account: Account, show_id: str) -> int:
        """Tickets the account holds (live) or bought for a show: what counts
        against the per-account limit, shown to the fan before they pick."""
        async with self._uow() as uow:
            return await uow.holds.tickets_used(account.id, show_id, self._clock.now())

    async def get(self, account: Account, hold_id: str) -> Hold:
        async with self._uow() as uow:
            hold = await uow.holds.get(hold_id)
        if hold is None or hold.account_id != account.id:
            raise NotFound(f"Hold {hold_id} does not exist.")
        return hold

    async def release(self, account: Account, hold_id: str) -> Hold:
        """Give a live hold's tickets back to sale now."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            hold = await uow.holds.get(hold_id)
            if hold is None or hold.account_id != account.id:
                raise NotFound(f"Hold {hold_id} does not exist.")
            await uow.lock_section(hold.section_id)
            if not await uow.holds.finish(hold, HoldStatus.RELEASED, now):
                current = await uow.holds.get(hold_id)
                if current is not None and current.status_at(now) is HoldStatus.EXPIRED:
                    raise HoldExpired()
                raise HoldNotActive()
            await uow.shows.give_back(hold.section_id, hold.quantity)
            await uow.shows.free_seats([hold.id])
            await uow.commit()
        await self._listener.changed(hold.show_id, hold.section_id)
        await self._forget_purchases(account.id, hold.show_id)
        hold.status = HoldStatus.RELEASED
        return hold

    async def sweep(self) -> int:
        """Reclaim holds past expiry in every section; returns how many.

        Not needed for correctness (readers already ignore dead holds); it keeps
        the counters tight and the seat rows clean. Safe on many instances.
        """
        now = self._clock.now()
        total = 0
        async with self._uow() as uow:
            section_ids = await uow.holds.sections_with_dead_holds(now)
        for section_id in section_ids:
            async with self._uow(write=True) as uow:
                await uow.lock_section(section_id)
                total += await reclaim_dead_holds(uow, section_id, now)
                await uow.commit()
        return total


async def reclaim_dead_holds(uow: UnitOfWork, section_id: str, now: datetime) -> int:
    """Mark a section's expired holds EXPIRED and return their tickets to the
    counters. Caller holds the section lock. Returns how many holds it freed."""
    dead = await uow.holds.dead_in_section(section_id, now)
    if not dead:
        return 0
    await uow.holds.mark_expired(dead, now)
    await uow.shows.give_back(section_id, sum(h.quantity for h in dead))
    await uow.shows.free_seats([h.id for h in dead])
    return len(dead)

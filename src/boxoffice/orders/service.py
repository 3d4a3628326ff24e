"""Orders: turn a live hold into paid tickets through a PaymentGateway.

No database transaction stays open while the provider answers:
1. record a PENDING order (its id is the charge's idempotency key);
2. charge;
3. under the section lock, convert the hold (only if still live), sell its
   tickets, issue them and mark the order PAID, all in one transaction.
A retry with the same Idempotency-Key resumes a PENDING order (the provider
returns the same charge) or answers with the settled one: never a second charge.

An asynchronous charge (Pix) answers PENDING: the hold is kept alive until
the payment deadline and the order stays PENDING; the provider's webhook (or
the reconciliation job) later calls `complete`, which settles it through the
same step 3 (payments/service.py).

Step 3 is group-committed per show (storage/groupcommit.py): the approved
orders that arrive while one batch commits are settled together, taking
each section's lock once and paying one commit, each order still decided on
its own inside it. If the batch fails it wrote nothing and each order is
settled alone; the charge is already taken either way, and a retry resumes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from boxoffice.accounts.domain import Account
from boxoffice.cache.sessions import SessionCache
from boxoffice.clock import Clock
from boxoffice.errors import (
    AlreadyPaid,
    DomainError,
    HoldExpired,
    HoldNotActive,
    IdempotencyMismatch,
    InvalidRequest,
    NotFound,
    PaymentDeclined,
    PaymentPending,
    PaymentTimeout,
)
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.ids import new_id
from boxoffice.inventory.events import InventoryListener, notify_taken
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.orders.payments import Charge, Outcome, PaymentGateway
from boxoffice.orders.settle import Settled, SettleStores, Settling, UnitOfWorkSettleStore, decide
from boxoffice.payments.domain import Payment, PaymentStatus
from boxoffice.storage.groupcommit import GroupCommit
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.vouchers.domain import VoucherKind
from boxoffice.vouchers.service import apply_voucher

# (account id, hold id, idempotency key, now) -> a new PENDING order, or None
# when the unit of work must decide (orders/settle_pg.py: postgres_open).
DirectOpen = Callable[[str, str, str, datetime], Awaitable["Order | None"]]

log = logging.getLogger("boxoffice.orders")

FAILURES: dict[str, type[DomainError]] = {
    "declined": PaymentDeclined,
    "payment_timeout": PaymentTimeout,
    "hold_expired": HoldExpired,
    "already_paid": AlreadyPaid,
}


class OrderService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        gateway: PaymentGateway,
        listener: InventoryListener,
        purchases: SessionCache | None = None,
        on_paid: Callable[[str, str], Awaitable[None]] | None = None,
        batch_size: int = 1,
        direct: SettleStores | None = None,
        direct_open: DirectOpen | None = None,
    ) -> None:
        self._uow = uow
        self._direct_open = direct_open
        self._stores = direct or self._uow_stores  # asyncpg on PostgreSQL (orders/settle_pg.py)
        self._settles: GroupCommit[Settling, Settled] | None = (
            GroupCommit(self._convert, self._convert_one, batch_size, "order")
            if batch_size > 1
            else None
        )
        self._on_paid = on_paid
        self._purchases = purchases
        self._clock = clock
        self._gateway = gateway
        self._listener = listener

    async def create(
        self, account: Account, hold_id: str, payment: dict[str, Any], idempotency_key: str | None,
        voucher: str | None = None,
    ) -> Order:  # fmt: skip
        if not idempotency_key:
            raise InvalidRequest("Send an Idempotency-Key header with every order.")
        self._gateway.validate(payment)
        order = None
        if self._direct_open is not None and not voucher:  # the plain case in one statement (PostgreSQL)
            order = await self._direct_open(account.id, hold_id, idempotency_key, self._clock.now())
        if order is None:
            try:
                order = await self._open(account, hold_id, idempotency_key, voucher)
            except IntegrityError:
                order = await self._open(account, hold_id, idempotency_key, voucher)
        if order.status is OrderStatus.PAID:
            return order
        if order.status is OrderStatus.FAILED:
            raise _failure(order)
        if order.payment is not None:
            return order  # a retry while the asynchronous payment is pending
        charge = await self._gateway.charge(order.id, order.amount_cents, order.currency, payment)
        if charge.outcome is Outcome.PENDING:
            return await self._await_payment(order, charge)
        return await self._settle(order, charge)

    async def _await_payment(self, order: Order, charge: Charge) -> Order:
        """Keep the hold alive until the charge's deadline and record the payment
        (its QR code); the order stays PENDING. If the hold died meanwhile the
        order fails, and money paid later for it is refunded (payments/)."""
        now = self._clock.now()
        deadline = charge.expires_at or now
        async with self._uow(write=True) as uow:
            hold = await uow.holds.get(order.hold_id)
            assert hold is not None
            await uow.lock_section(hold.section_id)
            live = hold.is_live(now) and (
                hold.expires_at >= deadline or await uow.holds.extend(hold, deadline, now)
            )
            if not live:
                await uow.orders.settle(
                    order, OrderStatus.FAILED, now, reference=charge.reference, reason="hold_expired"
                )
            payment = Payment(
                order_id=order.id, reference=charge.reference, method=charge.method,
                status=PaymentStatus.PENDING if live else PaymentStatus.FAILED,
                amount_cents=charge.amount_cents, currency=charge.currency,
                copy_paste=charge.copy_paste or "", pay_url=charge.pay_url, hold_id=hold.id,
                deadline=max(deadline, hold.expires_at), created_at=now, updated_at=now,
            )  # fmt: skip
            await uow.payments.add(payment)
            await uow.commit()
        if not live:
            raise HoldExpired(order_id=order.id)
        await self._listener.changed(order.show_id, hold.section_id)  # the hold's expiry moved
        await self._forget_purchases(order)
        order.payment = payment
        return order

    async def complete(self, order_id: str, charge: Charge) -> Order:
        """Settle a PENDING order whose asynchronous charge the provider reports
        approved or declined (webhook, reconciliation). Idempotent: a settled
        order is returned as it is. An approval for a hold that has expired
        fails the order and refunds the charge: never a sale over capacity."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"Order {order_id} does not exist.")
        if order.status is not OrderStatus.PENDING:
            return order
        try:
            return await self._settle(order, charge)
        except DomainError:
            async with self._uow() as uow:
                settled = await uow.orders.get(order_id)
            assert settled is not None
            return settled

    async def _forget_purchases(self, order: Order) -> None:
        if self._purchases is not None:
            await self._purchases.forget_holds((order.account_id, order.show_id))

    async def _open(self, account: Account, hold_id: str, key: str, voucher: str | None = None) -> Order:
        """The order this key names, or a new PENDING one for a live hold (less
        its discount voucher's share, whose use is taken in the same transaction)."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            existing = await uow.orders.by_idempotency_key(account.id, key)
            if existing is not None:
                if existing.hold_id != hold_id:
                    raise IdempotencyMismatch()
                existing.payment = await uow.payments.get(existing.id)
                return existing
            hold = await uow.holds.get(hold_id)
            if hold is None or hold.account_id != account.id:
                raise NotFound(f"Hold {hold_id} does not exist.")
            if hold.status is HoldStatus.CONVERTED or await uow.orders.paid_for_hold(hold.id):
                raise AlreadyPaid()
            _check_live(hold, now)
            if await uow.payments.pending_for_hold(hold.id) is not None:
                raise PaymentPending()
            show = await uow.shows.get(hold.show_id)
            assert show is not None  # a hold's show cannot be deleted
            section = show.section(hold.section_id)
            order_id, amount = new_id(), section.price_cents * hold.quantity
            if voucher:
                amount -= await apply_voucher(uow, voucher, show.id, VoucherKind.DISCOUNT,
                                              account.id, order_id, amount, now)  # fmt: skip
            order = Order(
                id=order_id,
                account_id=account.id,
                hold_id=hold.id,
                show_id=hold.show_id,
                status=OrderStatus.PENDING,
                amount_cents=amount,
                currency=show.currency,
                idempotency_key=key,
                created_at=now,
                updated_at=now,
            )
            await uow.orders.add(order)
            await uow.commit()
        return order

    async def _settle(self, order: Order, charge: Charge) -> Order:
        now = self._clock.now()
        if charge.outcome is not Outcome.APPROVED:
            reason = "declined" if charge.outcome is Outcome.DECLINED else "payment_timeout"
            async with self._uow(write=True) as uow:
                await uow.orders.settle(order, OrderStatus.FAILED, now, reason=reason)
                await uow.commit()
            raise FAILURES[reason](order_id=order.id)

        settling = Settling(order, charge)
        if self._settles is not None:
            settled = await self._settles.submit(order.show_id, settling)
        else:
            settled = await self._convert_one(settling)
        if settled.current is not None:
            return settled.current  # a concurrent retry of this same order settled it
        hold, refund_reason = settled.hold, settled.refund_reason
        if refund_reason is not None:
            await self._gateway.refund(charge.reference)
            raise FAILURES[refund_reason](
                "The hold ended before the payment finished; the charge was refunded.",
                order_id=order.id,
            )
        await notify_taken(self._listener, order.show_id, hold.section_id)
        if self._on_paid is not None:
            await self._on_paid(order.account_id, order.show_id)
        assert settled.paid is not None
        return settled.paid  # as written: never read back

    @property
    def settles(self) -> GroupCommit[Settling, Settled] | None:
        """The group commit of approved orders (None when off)."""
        return self._settles

    async def _convert_one(self, settling: Settling) -> Settled:
        outcome = (await self._convert([settling]))[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _convert(self, batch: list[Settling]) -> list[Settled | Exception]:
        """Convert the holds of approved orders of one show into tickets, in one
        transaction (orders/settle.py): each section's lock once (in id order),
        then each order as the single path would decide it, then one write."""
        now = self._clock.now()
        async with self._stores() as store:
            holds = await store.holds([s.order.hold_id for s in batch])
            show = await store.show(batch[0].order.show_id)  # read before the locks: they stay short
            assert show is not None
            await store.lock_sections(sorted({h.section_id for h in holds}))
            states = await store.states(sorted({s.order.id for s in batch}))
            settled, paid, refused = decide(batch, holds, show, states, now)
            if paid or refused:
                await store.write(paid, refused, now)
                await store.commit()
        await self._forget_buyers([s.paid for s in settled if s.paid is not None])
        return await self._settled_elsewhere(settled)

    async def _forget_buyers(self, paid: list[Order]) -> None:
        """The buyers' cached live holds go (their holds are converted), in one
        call for the batch. Past the commit nothing may fail the batch (it
        would be decided again one by one): a failure is logged."""
        if self._purchases is None or not paid:
            return
        try:
            await self._purchases.forget_holds(*{(o.account_id, o.show_id) for o in paid})
        except Exception:  # noqa: BLE001 - logged; the orders stand, the cached entries time out
            log.exception("after an order batch committed, forgetting the buyers' holds failed")

    @asynccontextmanager
    async def _uow_stores(self) -> AsyncIterator[UnitOfWorkSettleStore]:
        async with self._uow(write=True) as uow:
            yield UnitOfWorkSettleStore(uow)

    async def _settled_elsewhere(self, settled: list[Settled]) -> list[Settled | Exception]:
        """Orders a concurrent retry settled before this batch: answered as they are."""
        if any(s.elsewhere for s in settled):
            async with self._uow() as uow:
                for i, s in enumerate(settled):
                    if s.elsewhere:
                        settled[i] = replace(s, current=await uow.orders.get(s.elsewhere))
        return list(settled)

    async def get(self, account: Account, order_id: str) -> Order:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
            if order is not None:
                order.payment = await uow.payments.get(order.id)
        if order is None or order.account_id != account.id:
            raise NotFound(f"Order {order_id} does not exist.")
        return order

    async def history(self, account: Account) -> list[Order]:
        async with self._uow() as uow:
            return await uow.orders.for_account(account.id)

    async def ticket(self, account: Account, code: str) -> Ticket:
        async with self._uow() as uow:
            ticket = await uow.orders.ticket(code)
        if ticket is None or (ticket.account_id != account.id and not account.is_organiser):
            raise NotFound("No such ticket.")
        return ticket

    async def per_minute(self, show_id: str, minutes: int = 10) -> list[tuple[datetime, int]]:
        """Paid orders in each of the last `minutes` minutes, oldest first (organisers)."""
        now = self._clock.now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=minutes - 1)
        async with self._uow() as uow:
            paid = await uow.orders.paid_at(show_id, start)
        counts = {start + timedelta(minutes=i): 0 for i in range(minutes)}
        for moment in paid:
            minute = moment.replace(second=0, microsecond=0)
            if minute in counts:
                counts[minute] += 1
        return list(counts.items())


def _check_live(hold: Hold, now) -> None:  # type: ignore[no-untyped-def]
    status = hold.status_at(now)
    if status is HoldStatus.EXPIRED:
        raise HoldExpired()
    if status is not HoldStatus.ACTIVE:
        raise HoldNotActive()


def _failure(order: Order) -> DomainError:
    return FAILURES.get(order.failure_reason or "", PaymentDeclined)(order_id=order.id)

"""Orders: turn a live hold into paid tickets through a PaymentGateway.

No database transaction stays open while the provider answers:
1. record a PENDING order (its id is the charge's idempotency key);
2. charge;
3. under the section lock, convert the hold (only if still live), sell its
   tickets, issue them and mark the order PAID, all in one transaction.
A retry with the same Idempotency-Key resumes a PENDING order (the provider
returns the same charge) or answers with the settled one: never a second charge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from boxoffice.accounts.domain import Account
from boxoffice.cache.sessions import SessionCache
from boxoffice.clock import Clock
from boxoffice.errors import (
    AlreadyCheckedIn,
    AlreadyPaid,
    DomainError,
    HoldExpired,
    HoldNotActive,
    IdempotencyMismatch,
    InvalidRequest,
    NotFound,
    PaymentDeclined,
    PaymentTimeout,
    SeatsUnavailable,
)
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.ids import new_id, new_ticket_code
from boxoffice.inventory.events import InventoryListener
from boxoffice.inventory.domain import Section
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.orders.payments import Charge, Outcome, PaymentGateway
from boxoffice.storage.uow import UnitOfWorkFactory

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
    ) -> None:
        self._uow = uow
        self._on_paid = on_paid
        self._purchases = purchases
        self._clock = clock
        self._gateway = gateway
        self._listener = listener

    async def create(
        self, account: Account, hold_id: str, payment: dict[str, Any], idempotency_key: str | None
    ) -> Order:
        if not idempotency_key:
            raise InvalidRequest("Send an Idempotency-Key header with every order.")
        self._gateway.validate(payment)
        try:
            order = await self._open(account, hold_id, idempotency_key)
        except IntegrityError:
            order = await self._open(account, hold_id, idempotency_key)
        if order.status is OrderStatus.PAID:
            return order
        if order.status is OrderStatus.FAILED:
            raise _failure(order)
        charge = await self._gateway.charge(order.id, order.amount_cents, order.currency, payment)
        return await self._settle(order, charge)

    async def _open(self, account: Account, hold_id: str, key: str) -> Order:
        """The order this key names, or a new PENDING one for a live hold."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            existing = await uow.orders.by_idempotency_key(account.id, key)
            if existing is not None:
                if existing.hold_id != hold_id:
                    raise IdempotencyMismatch()
                return existing
            hold = await uow.holds.get(hold_id)
            if hold is None or hold.account_id != account.id:
                raise NotFound(f"Hold {hold_id} does not exist.")
            if hold.status is HoldStatus.CONVERTED or await uow.orders.paid_for_hold(hold.id):
                raise AlreadyPaid()
            _check_live(hold, now)
            show = await uow.shows.get(hold.show_id)
            assert show is not None  # a hold's show cannot be deleted
            section = show.section(hold.section_id)
            order = Order(
                id=new_id(),
                account_id=account.id,
                hold_id=hold.id,
                show_id=hold.show_id,
                status=OrderStatus.PENDING,
                amount_cents=section.price_cents * hold.quantity,
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

        refund_reason: str | None = None
        async with self._uow(write=True) as uow:
            hold = await uow.holds.get(order.hold_id)
            assert hold is not None
            show = await uow.shows.get(hold.show_id)  # read before the lock: it stays short
            await uow.lock_section(hold.section_id)
            current = await uow.orders.get(order.id)
            assert current is not None
            if current.status is not OrderStatus.PENDING:
                return current  # a concurrent retry of this same order settled it
            if await uow.holds.finish(hold, HoldStatus.CONVERTED, now):
                await self._issue(uow, order, hold, show.section(hold.section_id), charge, now)
            else:
                converted = (await uow.holds.get(hold.id)).status is HoldStatus.CONVERTED  # type: ignore[union-attr]
                refund_reason = "already_paid" if converted else "hold_expired"
                await uow.orders.settle(
                    order, OrderStatus.FAILED, now, reference=charge.reference,
                    reason=refund_reason,
                )  # fmt: skip
            await uow.commit()
        if refund_reason is not None:
            await self._gateway.refund(charge.reference)
            raise FAILURES[refund_reason](
                "The hold ended before the payment finished; the charge was refunded.",
                order_id=order.id,
            )
        await self._listener.changed(order.show_id, hold.section_id)
        if self._purchases is not None:
            await self._purchases.forget_holds(order.account_id, order.show_id)
        if self._on_paid is not None:
            await self._on_paid(order.account_id, order.show_id)
        async with self._uow() as uow:
            paid = await uow.orders.get(order.id)
        assert paid is not None
        return paid

    async def _issue(self, uow, order: Order, hold: Hold, section: Section, charge: Charge, now) -> None:  # type: ignore[no-untyped-def]
        await uow.shows.sell(hold.section_id, hold.quantity)
        if hold.seat_ids and not await uow.shows.sell_seats(hold.id, list(hold.seat_ids)):
            raise SeatsUnavailable("A held seat was lost; nothing was sold.")
        seat_ids: list[int | None] = list(hold.seat_ids) or [None] * hold.quantity
        await uow.orders.add_tickets(
            [
                Ticket(
                    id=new_id(),
                    code=new_ticket_code(),
                    order_id=order.id,
                    account_id=order.account_id,
                    show_id=order.show_id,
                    section_id=hold.section_id,
                    seat_id=seat_id,
                    price_cents=section.price_cents,
                    issued_at=now,
                )
                for seat_id in seat_ids
            ]
        )
        await uow.orders.settle(order, OrderStatus.PAID, now, reference=charge.reference)

    async def get(self, account: Account, order_id: str) -> Order:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
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

    async def check_in(self, code: str) -> Ticket:
        """Let a ticket through the gate once; the second time is AlreadyCheckedIn."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            ticket = await uow.orders.ticket(code)
            if ticket is None:
                raise NotFound("No ticket has this code.")
            if not await uow.orders.check_in(ticket, now):
                raise AlreadyCheckedIn(checked_in_at=ticket.checked_in_at.isoformat())  # type: ignore[union-attr]
            await uow.commit()
        return replace(ticket, checked_in_at=now)


def _check_live(hold: Hold, now) -> None:  # type: ignore[no-untyped-def]
    status = hold.status_at(now)
    if status is HoldStatus.EXPIRED:
        raise HoldExpired()
    if status is not HoldStatus.ACTIVE:
        raise HoldNotActive()


def _failure(order: Order) -> DomainError:
    return FAILURES.get(order.failure_reason or "", PaymentDeclined)(order_id=order.id)

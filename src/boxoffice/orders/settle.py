"""Settling approved orders in group commits: one store interface, two stores.

A batch of approved orders of one show is settled in one transaction
(orders/service.py decides; a store reads and writes):

    holds of the batch (with their seats' labels) + the show   (before any lock)
    ->  each section's lock, in id order (storage/locking.py)
    ->  each order's status and its hold's status, read under the locks
    ->  per order, in arrival order: still PENDING? hold still live and not
        already converted in this batch? -> paid with tickets, or failed
    ->  one write of the lot (with each paid order's outbox messages: the
        confirmation mail and the order.paid webhook)  ->  one commit

Under the section locks nothing else can move these holds (a release, an
expiry reclaim, another batch or a concurrent retry all take the same lock),
so the decision read there stands; the write is still conditional (hold
ACTIVE and unexpired, order PENDING, seats held by that hold) and the store
refuses the batch (RuntimeError: nothing written, each order settled again
alone) if any count differs from the decision.

`UnitOfWorkSettleStore` does it through the unit of work (SQLAlchemy: every
database, the embedded SQLite default). On PostgreSQL `settle_pg` sends the
same reads and writes straight through asyncpg: the write is one statement.
No answer is read back: the paid order is built from what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from boxoffice import outbox
from boxoffice.audit.domain import Action, AuditEvent, Entity
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.inventory.domain import Show
from boxoffice.ids import new_id, new_ticket_code
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.orders.payments import Charge
from boxoffice.outbox.domain import Message
from boxoffice.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Settling:
    """An approved charge waiting for its order to be settled."""

    order: Order
    charge: Charge


@dataclass(frozen=True, slots=True)
class Settled:
    """How it went: paid (`paid`, as written: never read back), refused with
    the charge to refund, or already settled by a concurrent retry of the
    same order (`elsewhere` names it; `current` is that order, read after
    the batch)."""

    hold: Hold
    refund_reason: str | None = None
    current: Order | None = None
    paid: Order | None = None
    elsewhere: str | None = None


@dataclass(frozen=True, slots=True)
class Paid:
    """An order to mark PAID, with its hold to convert and the tickets to issue."""

    order: Order
    hold: Hold
    tickets: list[Ticket]
    reference: str
    messages: list[Message]  # the outbox's confirmation mail and order.paid webhook


@dataclass(frozen=True, slots=True)
class Refused:
    """An order to mark FAILED (its charge is refunded after the commit)."""

    order: Order
    reason: str
    reference: str


@dataclass(frozen=True, slots=True)
class State:
    """An order's status and its hold's, read under the section locks."""

    order: OrderStatus
    hold: HoldStatus
    hold_expires_at: datetime


class SettleStore(Protocol):
    async def holds(self, hold_ids: list[str]) -> list[Hold]:
        """The holds, in the order asked, seats' labels included."""

    async def show(self, show_id: str) -> Show | None: ...

    async def lock_sections(self, section_ids: list[str]) -> None:
        """Each section's inventory lock, in the order given (sorted by the caller)."""

    async def states(self, order_ids: list[str]) -> dict[str, State]: ...

    async def write(self, paid: list[Paid], refused: list[Refused], now: datetime) -> None: ...

    async def commit(self) -> None: ...


SettleStores = Callable[[], AbstractAsyncContextManager[SettleStore]]


def converted_event(hold: Hold, now: datetime) -> AuditEvent:
    return AuditEvent(
        at=now, entity=Entity.HOLD, entity_id=hold.id, action=Action.CONVERTED,
        show_id=hold.show_id, section_id=hold.section_id, account_id=hold.account_id,
        hold_id=hold.id, quantity=hold.quantity,
    )  # fmt: skip


def sold_per_section(paid: list[Paid]) -> dict[str, int]:
    sold: dict[str, int] = {}
    for p in paid:
        sold[p.hold.section_id] = sold.get(p.hold.section_id, 0) + p.hold.quantity
    return sold


def decide(
    batch: list[Settling], holds: list[Hold], show: Show, states: dict[str, State], now: datetime
) -> tuple[list[Settled], list[Paid], list[Refused]]:
    """Each order of the batch, in arrival order, as the single path decides
    it: already settled (by a retry) -> answered as it is; hold live and not
    converted yet (in this batch either) -> paid with its tickets; otherwise
    failed (`already_paid` or `hold_expired`) and the charge refunded."""
    settled: list[Settled] = []
    paid: list[Paid] = []
    refused: list[Refused] = []
    done: dict[str, Order] = {}  # orders decided in this batch (a retry can be in it twice)
    converted: set[str] = set()
    for s, hold in zip(batch, holds, strict=True):
        state = states[s.order.id]
        if s.order.id in done or state.order is not OrderStatus.PENDING:
            earlier = done.get(s.order.id)
            settled.append(Settled(hold, current=earlier, elsewhere=None if earlier else s.order.id))
            continue
        reference = s.charge.reference
        live = state.hold is HoldStatus.ACTIVE and now < state.hold_expires_at
        if live and hold.id not in converted:
            converted.add(hold.id)
            tickets = issue(s.order, hold, show, now)
            order = replace(s.order, status=OrderStatus.PAID, updated_at=now,
                            payment_reference=reference, tickets=tickets)  # fmt: skip
            messages = outbox.paid_order_messages(
                order_id=order.id, account_id=order.account_id, show_id=order.show_id,
                amount_cents=order.amount_cents, currency=order.currency,
                ticket_codes=[t.code for t in tickets], now=now,
            )  # fmt: skip
            paid.append(Paid(s.order, hold, tickets, reference, messages))
            settled.append(Settled(hold, paid=order))
        else:
            gone = state.hold is HoldStatus.CONVERTED or hold.id in converted
            reason = "already_paid" if gone else "hold_expired"
            order = replace(s.order, status=OrderStatus.FAILED, updated_at=now,
                            payment_reference=reference, failure_reason=reason)  # fmt: skip
            refused.append(Refused(s.order, reason, reference))
            settled.append(Settled(hold, refund_reason=reason))
        done[s.order.id] = order
    return settled, paid, refused


def issue(order: Order, hold: Hold, show: Show, now: datetime) -> list[Ticket]:
    """The tickets of a paid order, in the order reading them back gives (seat, code)."""
    section = show.section(hold.section_id)
    labels = dict(zip(hold.seat_ids, hold.seat_labels, strict=False))
    seat_ids: list[int | None] = list(hold.seat_ids) or [None] * hold.quantity
    tickets = [
        Ticket(
            id=new_id(), code=new_ticket_code(), order_id=order.id, account_id=order.account_id,
            show_id=order.show_id, section_id=hold.section_id, seat_id=seat_id,
            price_cents=section.price_cents, issued_at=now, section_name=section.name,
            seat_label=labels.get(seat_id) if seat_id is not None else None, show_name=show.name,
        )  # fmt: skip
        for seat_id in seat_ids
    ]
    return sorted(tickets, key=lambda t: (t.seat_id or 0, t.code))


class UnitOfWorkSettleStore:
    """A SettleStore on the unit of work: the repositories' own statements."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def holds(self, hold_ids: list[str]) -> list[Hold]:
        found = []
        for hold_id in hold_ids:
            hold = await self._uow.holds.get(hold_id)
            assert hold is not None  # an order's hold is never deleted
            if hold.seat_ids:
                seats = await self._uow.shows.seats_by_id(hold.seat_ids)
                hold.seat_labels = tuple(seats[i].label for i in hold.seat_ids)
            found.append(hold)
        return found

    async def show(self, show_id: str) -> Show | None:
        return await self._uow.shows.get(show_id)

    async def lock_sections(self, section_ids: list[str]) -> None:
        for section_id in section_ids:
            await self._uow.lock_section(section_id)

    async def states(self, order_ids: list[str]) -> dict[str, State]:
        found = await self._uow.orders.states(order_ids)
        return {i: State(OrderStatus(o), HoldStatus(h), until) for i, (o, h, until) in found.items()}

    async def write(self, paid: list[Paid], refused: list[Refused], now: datetime) -> None:
        for p in paid:
            if not await self._uow.holds.finish(p.hold, HoldStatus.CONVERTED, now):
                raise RuntimeError("a hold moved under its section lock")
        for section_id, quantity in sold_per_section(paid).items():
            await self._uow.shows.sell(section_id, quantity)
        for p in paid:
            if p.hold.seat_ids and not await self._uow.shows.sell_seats(p.hold.id, list(p.hold.seat_ids)):
                raise RuntimeError("a held seat moved under its section lock")
        if paid:
            await self._uow.orders.add_tickets([t for p in paid for t in p.tickets])
        for p in paid:
            if not await self._uow.orders.settle(p.order, OrderStatus.PAID, now, reference=p.reference):
                raise RuntimeError("an order moved under its section lock")
        for r in refused:
            await self._uow.orders.settle(r.order, OrderStatus.FAILED, now, reference=r.reference, reason=r.reason)
        await self._uow.outbox.add([m for p in paid for m in p.messages])

    async def commit(self) -> None:
        await self._uow.commit()

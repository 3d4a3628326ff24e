"""Giving tickets up for money back, inside the caller's transaction (the
refund service, a show's cancellation)."""

from __future__ import annotations

from datetime import datetime

from boxoffice import outbox
from boxoffice.audit.domain import Action
from boxoffice.errors import NothingToRefund
from boxoffice.ids import new_id
from boxoffice.notifications.domain import Kind
from boxoffice.notifications.service import notify
from boxoffice.orders.domain import Order, Ticket
from boxoffice.refunds.domain import Reason, Refund, RefundStatus
from boxoffice.storage.uow import UnitOfWork
from boxoffice.tickets.domain import TicketStatus

HOLDING = (TicketStatus.VALID, TicketStatus.LISTED)


def money(cents: int, currency: str) -> str:
    return f"{currency} {cents / 100:,.2f}"


async def give_back(
    uow: UnitOfWork, order: Order, tickets: list[Ticket], reason: Reason, requested_by: str,
    key: str, now: datetime, show_name: str, *, used_too: bool = False,
) -> Refund:  # fmt: skip
    """Refund these tickets of `order` (the caller holds their sections' locks):
    each moves to REFUNDED only if it still holds its place (the row count
    decides a refund racing a check-in or a transfer), its live listing ends,
    its place goes back on sale. Raises NothingToRefund if none moved."""
    moved = [
        t for t in tickets
        if await uow.tickets.move(t, HOLDING, TicketStatus.REFUNDED, now, Action.REFUNDED,
                                  used_too=used_too, reason=reason.value)
    ]  # fmt: skip
    if not moved:
        raise NothingToRefund(order_id=order.id)
    for ticket in moved:
        await uow.listings.end_for_ticket(ticket.id, now)
    by_section: dict[str, list[Ticket]] = {}
    for ticket in moved:
        by_section.setdefault(ticket.section_id, []).append(ticket)
    for section_id, given in sorted(by_section.items()):
        seat_ids = [t.seat_id for t in given if t.seat_id is not None]
        await uow.shows.unsell(section_id, seat_ids, len(given))
    refund = Refund(
        id=new_id(), order_id=order.id, account_id=order.account_id, show_id=order.show_id,
        amount_cents=sum(t.price_cents for t in moved), currency=order.currency, reason=reason,
        status=RefundStatus.PENDING, requested_by=requested_by, idempotency_key=key, created_at=now,
    )  # fmt: skip
    await uow.refunds.add(refund, order)
    kind = Kind.SHOW_CANCELLED if reason is Reason.SHOW_CANCELLED else Kind.REFUND
    await notify(
        uow, order.account_id, kind, now, order.show_id, show=show_name,
        amount=money(refund.amount_cents, refund.currency), tickets=len(moved),
    )  # fmt: skip
    await uow.outbox.add([outbox.webhook_event(
        type="order.refunded", show_id=order.show_id, now=now, dedupe_key=f"order.refunded:{refund.id}",
        data={"order_id": order.id, "show_id": order.show_id, "refund_id": refund.id,
              "amount_cents": refund.amount_cents, "currency": refund.currency,
              "reason": reason.value, "tickets": [t.code for t in moved]},
    )])  # fmt: skip
    return refund

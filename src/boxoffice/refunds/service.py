"""Refunds and show cancellation.

One transaction gives the tickets up (REFUNDED, their places back on sale
under the section locks), writes the pending refund, the order's refunded
total, the audit rows and the fan's notification. The money goes to the
gateway after the commit (no transaction waits on a provider); a send that
fails stays pending for `send_pending` (a background job) to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from boxoffice.accounts.domain import Account
from boxoffice.audit.domain import Action, AuditEvent, Entity
from boxoffice.clock import Clock
from boxoffice.errors import IdempotencyMismatch, InvalidRequest, NotFound
from boxoffice.holds.domain import HoldStatus
from boxoffice.inventory.events import InventoryListener
from boxoffice.orders.payments import PaymentGateway
from boxoffice.refunds.domain import Reason, Refund, refundable
from boxoffice.refunds.returns import give_back
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("boxoffice.refunds")
Returned = Callable[[str], Awaitable[int]]  # places of a show came back: offer them (waitlist)


@dataclass(frozen=True, slots=True)
class Cancellation:
    show_id: str
    refunds: int
    holds_released: int
    already: bool = False


class RefundService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, gateway: PaymentGateway,
        listener: InventoryListener, returned: Returned | None = None,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._clock = clock
        self._gateway = gateway
        self._listener = listener
        self.returned = returned

    async def refund_order(self, organiser: Account, order_id: str, key: str | None) -> Refund:
        """An organiser gives an order's money back (every ticket of it still unused)."""
        return await self._refund(organiser, order_id, key, Reason.ORGANISER)

    async def request(self, fan: Account, order_id: str, key: str | None) -> Refund:
        """A fan gives back the tickets of their order they still hold, where the organiser allows it."""
        return await self._refund(fan, order_id, key, Reason.FAN)

    async def _refund(self, actor: Account, order_id: str, key: str | None, reason: Reason) -> Refund:
        if not key:
            raise InvalidRequest("Send an Idempotency-Key header with every refund.")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            existing = await uow.refunds.by_key(actor.id, key)
            if existing is not None:
                if existing.order_id != order_id:
                    raise IdempotencyMismatch()
                return existing
            order = await uow.orders.get(order_id)
            if order is None or (reason is Reason.FAN and order.account_id != actor.id):
                raise NotFound(f"Order {order_id} does not exist.")
            show = await uow.shows.get(order.show_id)
            assert show is not None
            rules = await uow.rules.get(show.id)
            if reason is Reason.FAN:
                rules.check_fan_refund(now, show.starts_at)
            tickets = refundable(order, order.tickets, actor.id if reason is Reason.FAN else None)
            for section_id in sorted({t.section_id for t in tickets}):
                await uow.lock_section(section_id)
            refund = await give_back(uow, order, tickets, reason, actor.id, key, now, show.name)
            await uow.commit()
        await self._after(refund, {t.section_id for t in tickets})
        async with self._uow() as uow:
            return await uow.refunds.get(refund.id) or refund  # sent, or still pending

    async def cancel_show(self, organiser: Account, show_id: str, key: str | None) -> Cancellation:
        """Cancel a show: sales stop, live holds end, every paid order is refunded
        and its tickets void (used ones too), open listings and the waiting list
        close. Calling it again changes nothing."""
        if not key:
            raise InvalidRequest("Send an Idempotency-Key header to cancel a show.")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            show = await uow.shows.get(show_id)
            if show is None:
                raise NotFound(f"Show {show_id} does not exist.")
            rules = await uow.rules.get(show_id)
            if rules.cancelled_at is not None:
                return Cancellation(show_id, len(await uow.refunds.of_show(show_id)), 0, already=True)
            for section in sorted(show.sections, key=lambda s: s.id):
                await uow.lock_section(section.id)
            released = await _end_live_holds(uow, [s.id for s in show.sections], now)
            count = 0
            for order_id in await uow.refunds.paid_orders(show_id):
                order = await uow.orders.get(order_id)
                assert order is not None
                tickets = [t for t in order.tickets if t.status in ("valid", "listed")]
                if tickets:
                    await give_back(uow, order, tickets, Reason.SHOW_CANCELLED, organiser.id,
                                    f"cancel:{order.id}", now, show.name, used_too=True)  # fmt: skip
                    count += 1
            await uow.rules.put(rules.changed({"cancelled_at": now}))
            await uow.shows.update_show(
                show_id, sale_closes_at=now, sale_opens_at=min(show.sale_opens_at, now)
            )
            await uow.waitlist.close_show(show_id, now)
            uow.record(AuditEvent(at=now, entity=Entity.SHOW, entity_id=show_id, action=Action.CANCELLED,
                                  show_id=show_id, account_id=organiser.id,
                                  detail={"refunds": count, "holds_released": released}))  # fmt: skip
            await uow.commit()
        for section in show.sections:
            await self._listener.changed(show_id, section.id)
        await self.send_pending(show_id=show_id)
        return Cancellation(show_id, count, released)

    async def of_order(self, account: Account, order_id: str) -> list[Refund]:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
            if order is None or (order.account_id != account.id and not account.is_organiser):
                raise NotFound(f"Order {order_id} does not exist.")
            return await uow.refunds.of_order(order_id)

    async def _after(self, refund: Refund, section_ids: set[str]) -> None:
        for section_id in section_ids:
            await self._listener.changed(refund.show_id, section_id)
        await self.send(refund)
        if self.returned is not None:
            await self.returned(refund.show_id)

    async def send(self, refund: Refund) -> bool:
        """Ask the gateway for the money; True once it took the refund."""
        async with self._uow() as uow:
            order = await uow.orders.get(refund.order_id)
        assert order is not None
        reference = order.payment_reference or ""
        try:
            await self._gateway.refund(reference, amount_cents=refund.amount_cents, idempotency_key=refund.id)
        except Exception:  # noqa: BLE001 - the provider failed: the refund stays pending, retried later
            log.warning("refund %s not sent yet; it will be retried", refund.id, exc_info=True)
            async with self._uow(write=True) as uow:
                await uow.refunds.tried(refund.id)
                await uow.commit()
            return False
        async with self._uow(write=True) as uow:
            await uow.refunds.sent(refund, reference, self._clock.now())
            await uow.commit()
        return True

    async def send_pending(self, limit: int = 200, show_id: str | None = None) -> int:
        """Send refunds still pending (the retry job); returns how many went."""
        async with self._uow() as uow:
            pending = await uow.refunds.pending(limit, show_id)
        sent = 0
        for refund in pending:
            sent += await self.send(refund)
        return sent


async def _end_live_holds(uow: UnitOfWork, section_ids: list[str], now) -> int:  # type: ignore[no-untyped-def]
    """Release every live hold of these sections (caller holds their locks)."""
    released = 0
    for hold_id in await uow.refunds.live_holds(section_ids, now):
        hold = await uow.holds.get(hold_id)
        if hold is not None and await uow.holds.finish(hold, HoldStatus.RELEASED, now):
            await uow.shows.give_back(hold.section_id, hold.quantity)
            await uow.shows.free_seats([hold.id])
            released += 1
    return released

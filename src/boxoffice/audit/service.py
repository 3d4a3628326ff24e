"""Reading the audit trail (organisers only; the routes check the role)."""

from __future__ import annotations

from boxoffice.audit.domain import AuditEvent
from boxoffice.errors import NotFound
from boxoffice.storage.uow import UnitOfWorkFactory


class AuditService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def order(self, order_id: str) -> list[AuditEvent]:
        async with self._uow() as uow:
            events = await uow.audit.for_order(order_id)
        if events is None:
            raise NotFound(f"Order {order_id} does not exist.")
        return events

    async def hold(self, hold_id: str) -> list[AuditEvent]:
        async with self._uow() as uow:
            events = await uow.audit.for_hold(hold_id)
        if not events:
            raise NotFound(f"Hold {hold_id} does not exist.")
        return events

    async def trail(self, order_or_hold_id: str) -> list[AuditEvent]:
        """An order's trail, or else a hold's (the CLI takes either id)."""
        try:
            return await self.order(order_or_hold_id)
        except NotFound:
            try:
                return await self.hold(order_or_hold_id)
            except NotFound:
                raise NotFound(f"No order or hold has the id {order_or_hold_id}.") from None


def describe(event: AuditEvent) -> str:
    """One line for a person: when, what, which, how many, and the detail."""
    detail = " ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
    quantity = f" x{event.quantity}" if event.quantity else ""
    return (
        f"{event.at.isoformat()}  {event.entity.value:<6} {event.action.value:<10} "
        f"{event.entity_id}{quantity}  account={event.account_id or '-'}  {detail}".rstrip()
    )

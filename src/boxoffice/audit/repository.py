"""Audit events in SQL: written in one statement per transaction, read by order or hold."""

from __future__ import annotations

import json

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, Entity
from boxoffice.storage.tables import audit_events, orders


def audit_row(event: AuditEvent) -> dict[str, object]:
    return {
        "at": event.at,
        "entity": event.entity.value,
        "entity_id": event.entity_id,
        "action": event.action.value,
        "show_id": event.show_id,
        "section_id": event.section_id,
        "account_id": event.account_id,
        "hold_id": event.hold_id,
        "order_id": event.order_id,
        "quantity": event.quantity,
        "detail": json.dumps(event.detail, sort_keys=True, default=str),
    }


def _event(row) -> AuditEvent:  # type: ignore[no-untyped-def]
    return AuditEvent(
        at=row.at,
        entity=Entity(row.entity),
        entity_id=row.entity_id,
        action=Action(row.action),
        show_id=row.show_id,
        section_id=row.section_id,
        account_id=row.account_id,
        hold_id=row.hold_id,
        order_id=row.order_id,
        quantity=row.quantity,
        detail=json.loads(row.detail),
    )


class AuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def write(self, events: list[AuditEvent]) -> None:
        if events:
            await self._conn.execute(insert(audit_events), [audit_row(e) for e in events])

    async def for_order(self, order_id: str) -> list[AuditEvent] | None:
        """The order, its tickets and its hold (not the hold's other orders: see
        for_hold); None if there is no such order."""
        hold_id = await self._conn.scalar(select(orders.c.hold_id).where(orders.c.id == order_id))
        if hold_id is None:
            return None
        return await self._events(
            or_(
                audit_events.c.order_id == order_id,
                and_(audit_events.c.entity == Entity.HOLD.value, audit_events.c.hold_id == hold_id),
            )
        )

    async def for_hold(self, hold_id: str) -> list[AuditEvent]:
        """The hold's story, and that of every order made from it."""
        order_ids = select(orders.c.id).where(orders.c.hold_id == hold_id)
        return await self._events(
            or_(audit_events.c.hold_id == hold_id, audit_events.c.order_id.in_(order_ids))
        )

    async def _events(self, where) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
        rows = await self._conn.execute(
            select(audit_events).where(where).order_by(audit_events.c.id)
        )
        return [_event(row) for row in rows]

"""Notifications in SQL: written in the change's transaction, read per account."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.ids import new_id
from boxoffice.notifications.domain import Kind, Notification
from boxoffice.storage.tables import notifications


def _notification(row) -> Notification:  # type: ignore[no-untyped-def]
    return Notification(
        id=row.id, account_id=row.account_id, kind=Kind(row.kind), created_at=row.created_at,
        show_id=row.show_id, data=json.loads(row.data), read_at=row.read_at,
    )  # fmt: skip


class NotificationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(
        self, account_id: str, kind: Kind, now: datetime, show_id: str | None = None, **data: Any
    ) -> Notification:
        note = Notification(new_id(), account_id, kind, now, show_id, data)
        await self._conn.execute(
            insert(notifications).values(
                id=note.id, account_id=account_id, kind=kind.value, show_id=show_id,
                data=json.dumps(data, default=str, sort_keys=True), created_at=now,
            )
        )  # fmt: skip
        return note

    async def of_account(self, account_id: str, limit: int = 100) -> list[Notification]:
        rows = await self._conn.execute(
            select(notifications)
            .where(notifications.c.account_id == account_id)
            .order_by(notifications.c.created_at.desc(), notifications.c.id)
            .limit(limit)
        )
        return [_notification(row) for row in rows]

    async def mark_read(self, account_id: str, notification_id: str | None, now: datetime) -> int:
        """Mark one (or, without an id, every) unread notification of an account read."""
        where = [notifications.c.account_id == account_id, notifications.c.read_at.is_(None)]
        if notification_id is not None:
            where.append(notifications.c.id == notification_id)
        result = await self._conn.execute(update(notifications).where(*where).values(read_at=now))
        return result.rowcount

    async def exists(self, account_id: str, notification_id: str) -> bool:
        found = await self._conn.scalar(
            select(notifications.c.id).where(
                notifications.c.id == notification_id, notifications.c.account_id == account_id
            )
        )
        return found is not None

"""Webhook endpoints in SQL (one implementation for SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.storage.tables import webhook_endpoints as t
from boxoffice.webhooks.domain import Endpoint


def _endpoint(row) -> Endpoint:  # type: ignore[no-untyped-def]
    return Endpoint(
        id=row.id, url=row.url, secret=row.secret, events=tuple(e for e in row.events.split(",") if e),
        created_at=row.created_at, created_by=row.created_by, description=row.description,
        active=row.active,
    )  # fmt: skip


class WebhookRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, endpoint: Endpoint) -> None:
        await self._conn.execute(
            insert(t).values(
                id=endpoint.id, url=endpoint.url, secret=endpoint.secret,
                events=",".join(endpoint.events), description=endpoint.description,
                active=endpoint.active, created_by=endpoint.created_by, created_at=endpoint.created_at,
            )  # fmt: skip
        )

    async def get(self, endpoint_id: str) -> Endpoint | None:
        row = (await self._conn.execute(select(t).where(t.c.id == endpoint_id))).first()
        return _endpoint(row) if row else None

    async def all(self) -> list[Endpoint]:
        rows = await self._conn.execute(select(t).order_by(t.c.created_at, t.c.id))
        return [_endpoint(r) for r in rows]

    async def active(self) -> list[Endpoint]:
        rows = await self._conn.execute(select(t).where(t.c.active.is_(True)).order_by(t.c.id))
        return [_endpoint(r) for r in rows]

    async def deactivate(self, endpoint_id: str) -> bool:
        result = await self._conn.execute(
            update(t).where(t.c.id == endpoint_id, t.c.active.is_(True)).values(active=False)
        )
        return result.rowcount == 1

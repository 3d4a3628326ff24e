"""After-sale rules in SQL (one optional row per show)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.rules.domain import AfterSaleRules
from boxoffice.storage.tables import after_sale_rules


class RulesRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, show_id: str) -> AfterSaleRules:
        row = (
            await self._conn.execute(select(after_sale_rules).where(after_sale_rules.c.show_id == show_id))
        ).first()
        return AfterSaleRules(**row._mapping) if row else AfterSaleRules(show_id)

    async def put(self, rules: AfterSaleRules) -> None:
        values = asdict(rules)
        result = await self._conn.execute(
            update(after_sale_rules).where(after_sale_rules.c.show_id == rules.show_id).values(**values)
        )
        if result.rowcount == 0:
            await self._conn.execute(insert(after_sale_rules).values(**values))

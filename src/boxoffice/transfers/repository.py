"""Transfers in SQL."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.storage.tables import tickets, transfers
from boxoffice.transfers.domain import Transfer


class TransferRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, transfer: Transfer) -> None:
        await self._conn.execute(
            insert(transfers).values(
                id=transfer.id, show_id=transfer.show_id, old_ticket_id=transfer.old_ticket_id,
                new_ticket_id=transfer.new_ticket_id, from_account_id=transfer.from_account_id,
                to_account_id=transfer.to_account_id, idempotency_key=transfer.idempotency_key,
                created_at=transfer.created_at,
            )
        )  # fmt: skip

    async def by_key(self, account_id: str, key: str) -> tuple[Transfer, str] | None:
        """The transfer made under this key, and the old ticket's code."""
        row = (
            await self._conn.execute(
                select(transfers, tickets.c.code.label("old_code"))
                .join(tickets, tickets.c.id == transfers.c.old_ticket_id)
                .where(transfers.c.from_account_id == account_id, transfers.c.idempotency_key == key)
            )
        ).first()
        if row is None:
            return None
        new_code = await self._conn.scalar(select(tickets.c.code).where(tickets.c.id == row.new_ticket_id))
        transfer = Transfer(
            id=row.id, show_id=row.show_id, old_ticket_id=row.old_ticket_id,
            new_ticket_id=row.new_ticket_id, from_account_id=row.from_account_id,
            to_account_id=row.to_account_id, idempotency_key=row.idempotency_key,
            created_at=row.created_at, new_code=str(new_code),
        )  # fmt: skip
        return transfer, row.old_code

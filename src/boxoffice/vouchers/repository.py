"""Vouchers and their uses in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.ids import new_id
from boxoffice.orders.domain import OrderStatus
from boxoffice.storage import locking
from boxoffice.storage.tables import orders, voucher_uses, vouchers
from boxoffice.vouchers.domain import Voucher, VoucherKind

_COUNTING = (OrderStatus.PENDING.value, OrderStatus.PAID.value)


def _voucher(row) -> Voucher:  # type: ignore[no-untyped-def]
    return Voucher(
        code=row.code, show_id=row.show_id, kind=VoucherKind(row.kind), max_uses=row.max_uses,
        expires_at=row.expires_at, created_at=row.created_at, label=row.label,
        percent_off=row.percent_off, amount_off_cents=row.amount_off_cents,
    )  # fmt: skip


def _live_uses():  # type: ignore[no-untyped-def]
    """Uses that count: presale unlocks, and orders still pending or paid."""
    return (
        select(voucher_uses.c.code, func.count().label("uses"))
        .select_from(voucher_uses.outerjoin(orders, orders.c.id == voucher_uses.c.order_id))
        .where(or_(voucher_uses.c.order_id.is_(None), orders.c.status.in_(_COUNTING)))
        .group_by(voucher_uses.c.code)
    )


class VoucherRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, created: list[Voucher]) -> None:
        await self._conn.execute(insert(vouchers), [
            {"code": v.code, "show_id": v.show_id, "kind": v.kind.value, "percent_off": v.percent_off,
             "amount_off_cents": v.amount_off_cents, "max_uses": v.max_uses,
             "expires_at": v.expires_at, "label": v.label, "created_at": v.created_at}
            for v in created
        ])  # fmt: skip

    async def locked(self, code: str) -> Voucher | None:
        """The voucher, with its lock held until the commit (None if there is no such code)."""
        if not await locking.lock_voucher(self._conn, code):
            return None
        row = (await self._conn.execute(select(vouchers).where(vouchers.c.code == code))).first()
        return _voucher(row) if row else None

    async def uses(self, code: str) -> int:
        found = (await self._conn.execute(_live_uses().where(voucher_uses.c.code == code))).first()
        return int(found.uses) if found else 0

    async def use(self, code: str, account_id: str, order_id: str | None, discount: int, now: datetime) -> None:
        await self._conn.execute(insert(voucher_uses).values(
            id=new_id(), code=code, account_id=account_id, order_id=order_id,
            discount_cents=discount, used_at=now,
        ))  # fmt: skip

    async def for_show(self, show_id: str, limit: int = 1000) -> list[tuple[Voucher, int]]:
        counted = _live_uses().subquery()
        rows = await self._conn.execute(
            select(vouchers, func.coalesce(counted.c.uses, 0).label("used"))
            .outerjoin(counted, counted.c.code == vouchers.c.code)
            .where(vouchers.c.show_id == show_id)
            .order_by(vouchers.c.created_at.desc(), vouchers.c.code)
            .limit(limit)
        )
        return [(_voucher(row), int(row.used)) for row in rows]

"""Presales, registrations and codes in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.presale.domain import Presale, PresaleCode
from boxoffice.storage.tables import presale_codes, presale_registrations, presales


def _presale(row) -> Presale:  # type: ignore[no-untyped-def]
    return Presale(
        show_id=row.show_id, registration_opens_at=row.registration_opens_at,
        registration_closes_at=row.registration_closes_at, general_sale_at=row.general_sale_at,
        seed=row.seed, commitment=row.commitment, created_at=row.created_at,
        drawn_at=row.drawn_at, codes_drawn=row.codes_drawn,
    )  # fmt: skip


def _code(row) -> PresaleCode:  # type: ignore[no-untyped-def]
    return PresaleCode(row.code, row.show_id, row.account_id, row.created_at, row.redeemed_at)


class PresaleRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, show_id: str) -> Presale | None:
        row = (await self._conn.execute(select(presales).where(presales.c.show_id == show_id))).first()
        return _presale(row) if row else None

    async def save(self, presale: Presale) -> None:
        """Create the presale, or change its dates (never its seed) until the draw."""
        values = {
            "registration_opens_at": presale.registration_opens_at,
            "registration_closes_at": presale.registration_closes_at,
            "general_sale_at": presale.general_sale_at,
        }
        changed = await self._conn.execute(
            update(presales)
            .where(presales.c.show_id == presale.show_id, presales.c.drawn_at.is_(None))
            .values(**values)
        )
        if changed.rowcount == 0:
            await self._conn.execute(
                insert(presales).values(
                    show_id=presale.show_id, seed=presale.seed, commitment=presale.commitment,
                    created_at=presale.created_at, codes_drawn=0, **values,
                )  # fmt: skip
            )

    async def register(self, show_id: str, account_id: str, now: datetime) -> bool:
        """True if this account registered now, False if it already had."""
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(presale_registrations).values(
                        show_id=show_id, account_id=account_id, registered_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    async def is_registered(self, show_id: str, account_id: str) -> bool:
        found = await self._conn.scalar(
            select(presale_registrations.c.account_id).where(
                presale_registrations.c.show_id == show_id,
                presale_registrations.c.account_id == account_id,
            )
        )
        return found is not None

    async def entrants(self, show_id: str) -> list[str]:
        rows = await self._conn.execute(
            select(presale_registrations.c.account_id).where(presale_registrations.c.show_id == show_id)
        )
        return list(rows.scalars())

    async def count_entrants(self, show_id: str) -> int:
        return int(await self._conn.scalar(
            select(func.count()).where(presale_registrations.c.show_id == show_id)
        ) or 0)  # fmt: skip

    async def mark_drawn(self, show_id: str, codes: int, now: datetime) -> bool:
        """The draw happens once: True only for the caller that made it."""
        result = await self._conn.execute(
            update(presales)
            .where(presales.c.show_id == show_id, presales.c.drawn_at.is_(None))
            .values(drawn_at=now, codes_drawn=codes)
        )
        return result.rowcount == 1

    async def add_codes(self, codes: list[PresaleCode]) -> None:
        if codes:
            await self._conn.execute(
                insert(presale_codes),
                [{"code": c.code, "show_id": c.show_id, "account_id": c.account_id,
                  "created_at": c.created_at, "redeemed_at": c.redeemed_at} for c in codes],
            )  # fmt: skip

    async def code(self, code: str) -> PresaleCode | None:
        row = (await self._conn.execute(select(presale_codes).where(presale_codes.c.code == code))).first()
        return _code(row) if row else None

    async def code_of(self, show_id: str, account_id: str) -> PresaleCode | None:
        row = (
            await self._conn.execute(
                select(presale_codes).where(
                    presale_codes.c.show_id == show_id, presale_codes.c.account_id == account_id
                )
            )
        ).first()
        return _code(row) if row else None

    async def redeem(self, code: str, now: datetime) -> bool:
        """Use a code once: True only for the one caller that redeemed it."""
        result = await self._conn.execute(
            update(presale_codes)
            .where(presale_codes.c.code == code, presale_codes.c.redeemed_at.is_(None))
            .values(redeemed_at=now)
        )
        return result.rowcount == 1

    async def counts(self, show_id: str) -> tuple[int, int]:
        """(codes drawn, codes redeemed)."""
        total, redeemed = (
            await self._conn.execute(
                select(func.count(), func.count(presale_codes.c.redeemed_at)).where(
                    presale_codes.c.show_id == show_id
                )
            )
        ).one()
        return int(total), int(redeemed)

"""Waiting-room settings in SQL (the line itself is in the QueueStore)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.storage.tables import lottery_draws, waiting_rooms
from boxoffice.waitingroom.domain import WaitingRoom


def _room(row) -> WaitingRoom:  # type: ignore[no-untyped-def]
    return WaitingRoom(
        show_id=row.show_id,
        enabled=row.enabled,
        opens_at=row.opens_at,
        admit_per_minute=row.admit_per_minute,
        max_active=row.max_active,
        window_minutes=row.window_minutes,
        seed=row.seed,
        drawn_at=row.drawn_at,
        salt=row.salt or "",
        beacon=row.beacon,
    )


class WaitingRoomRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, show_id: str) -> WaitingRoom | None:
        row = (
            await self._conn.execute(select(waiting_rooms).where(waiting_rooms.c.show_id == show_id))
        ).first()
        return _room(row) if row else None

    async def enabled(self) -> list[WaitingRoom]:
        rows = await self._conn.execute(select(waiting_rooms).where(waiting_rooms.c.enabled.is_(True)))
        return [_room(row) for row in rows]

    async def save(self, room: WaitingRoom, *, exists: bool) -> None:
        values = {
            "enabled": room.enabled,
            "opens_at": room.opens_at,
            "admit_per_minute": room.admit_per_minute,
            "max_active": room.max_active,
            "window_minutes": room.window_minutes,
            "salt": room.salt,
            "beacon": room.beacon,
        }
        if exists:
            await self._conn.execute(
                update(waiting_rooms).where(waiting_rooms.c.show_id == room.show_id).values(**values)
            )
        else:
            await self._conn.execute(
                insert(waiting_rooms).values(show_id=room.show_id, seed=room.seed, **values)
            )

    async def mark_drawn(self, show_id: str, when: datetime) -> None:
        await self._conn.execute(
            update(waiting_rooms)
            .where(waiting_rooms.c.show_id == show_id, waiting_rooms.c.drawn_at.is_(None))
            .values(drawn_at=when)
        )

    async def publish_draw(self, show_id: str, ordered_ids: list[str]) -> None:
        """The entrants' pseudonymous ids in drawn order, once (a second draw keeps the first)."""
        found = await self._conn.scalar(select(lottery_draws.c.show_id).where(lottery_draws.c.show_id == show_id))
        if found is None:
            await self._conn.execute(insert(lottery_draws).values(show_id=show_id, entrants="\n".join(ordered_ids)))

    async def drawn_entrants(self, show_id: str) -> list[str] | None:
        text = await self._conn.scalar(select(lottery_draws.c.entrants).where(lottery_draws.c.show_id == show_id))
        return None if text is None else [line for line in text.split("\n") if line]

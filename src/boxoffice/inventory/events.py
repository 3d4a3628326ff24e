"""Inventory change notifications: the seam the ticket cache listens on.

Services call `changed(show_id, section_id)` after every commit that moves
availability (hold, release, expiry, sale, organiser edit); a commit that
only took tickets (a hold, a sale of held tickets) may say `taken` instead.
"""

from __future__ import annotations

from typing import Protocol


class InventoryListener(Protocol):
    async def changed(self, show_id: str, section_id: str | None) -> None: ...


class NoListener:
    async def changed(self, show_id: str, section_id: str | None) -> None:
        return None


class Listeners:
    """Fans one change out to every listener added (the ticket cache, metrics, ...)."""

    def __init__(self, *listeners: InventoryListener) -> None:
        self._listeners = list(listeners)

    def add(self, listener: InventoryListener) -> None:
        self._listeners.append(listener)

    async def changed(self, show_id: str, section_id: str | None) -> None:
        for listener in self._listeners:
            await listener.changed(show_id, section_id)

    async def taken(self, show_id: str, section_id: str, seat_ids: tuple[int, ...] = ()) -> None:
        """Tickets of a section were taken and none came back (a hold, a sale
        of held tickets): listeners that know the difference (the ticket
        cache's gate keeps what it knows) hear `taken`, the others `changed`."""
        for listener in self._listeners:
            await notify_taken(listener, show_id, section_id, seat_ids)


async def notify_taken(
    listener: InventoryListener, show_id: str, section_id: str, seat_ids: tuple[int, ...] = ()
) -> None:
    """`taken` for a listener that has it, `changed` for one that has not."""
    taken = getattr(listener, "taken", None)
    if taken is not None:
        await taken(show_id, section_id, seat_ids)
    else:
        await listener.changed(show_id, section_id)

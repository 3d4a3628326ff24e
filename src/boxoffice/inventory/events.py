"""Inventory change notifications: the seam the ticket cache listens on.

Services call `changed(show_id, section_id)` after every commit that moves
availability (hold, release, expiry, sale, organiser edit).
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

"""Notification API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from boxoffice.notifications.domain import TEXTS, Notification


class NotificationOut(BaseModel):
    id: str
    kind: str
    show_id: str | None
    text: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.id, kind=n.kind.value, show_id=n.show_id, text=render(n, lambda s: s),
            data=n.data, created_at=n.created_at, read_at=n.read_at,
        )  # fmt: skip


def render(n: Notification, gettext: Any) -> str:
    """The notification's sentence in the reader's language (gettext of its msgid)."""
    values = {k: v for k, v in n.data.items()}
    try:
        return str(gettext(TEXTS[n.kind])).format(**values)
    except (KeyError, IndexError):
        return TEXTS[n.kind]

"""A fan's notifications: telling them (the list and the email), the list, marking them read."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from boxoffice import outbox
from boxoffice.accounts.domain import Account
from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.notifications.domain import SUBJECT, Kind, Notification
from boxoffice.notifications.schemas import render
from boxoffice.pages.i18n import LANGUAGES, load_catalogs
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory


class NotificationService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def of(self, account: Account) -> list[Notification]:
        async with self._uow() as uow:
            return await uow.notifications.of_account(account.id)

    async def unread(self, account: Account) -> int:
        return sum(1 for n in await self.of(account) if n.read_at is None)

    async def mark_read(self, account: Account, notification_id: str | None = None) -> int:
        async with self._uow(write=True) as uow:
            if notification_id is not None and not await uow.notifications.exists(account.id, notification_id):
                raise NotFound("No such notification.")
            count = await uow.notifications.mark_read(account.id, notification_id, self._clock.now())
            await uow.commit()
        return count


async def notify(
    uow: UnitOfWork, account_id: str, kind: Kind, now: datetime, show_id: str | None = None, **data: Any
) -> Notification:
    """Tell a fan, inside the change's transaction: the row for their list and
    the email (an outbox message, in English and Brazilian Portuguese)."""
    note = await uow.notifications.add(account_id, kind, now, show_id, **data)
    texts = {code: render(note, lambda msgid, c=code: catalogs()[c].get(msgid, msgid)) for code in LANGUAGES}
    subjects = {code: _format(catalogs()[code].get(SUBJECT, SUBJECT), data) for code in LANGUAGES}
    await outbox.enqueue(
        uow, kind=outbox.EMAIL_NOTICE, account_id=account_id, now=now,
        dedupe_key=f"notification:{note.id}", payload={"subject": subjects, "text": texts},
    )  # fmt: skip
    return note


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    return load_catalogs()


def _format(text: str, data: dict[str, Any]) -> str:
    try:
        return text.format(**data)
    except (KeyError, IndexError):
        return text

"""A fan's notifications: the list and marking them read."""

from __future__ import annotations

from boxoffice.accounts.domain import Account
from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.notifications.domain import Notification
from boxoffice.storage.uow import UnitOfWorkFactory


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

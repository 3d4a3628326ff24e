"""A mail catcher on a free port per test, and the container's mail sent to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from boxoffice.bootstrap import Container
from boxoffice.email.catcher import Mail, MailCatcher, MailFolder
from boxoffice.email.service import EmailDeliverer
from boxoffice.email.smtp import Mailer


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    started = MailCatcher(tmp_path / "caught").start()
    yield started
    started.stop()


@dataclass
class Inbox:
    container: Container
    catcher: MailCatcher

    async def deliver(self) -> int:
        return await self.container.outbox.drain()

    def to(self, address: str) -> list[Mail]:
        return MailFolder(self.catcher.folder).to(address)

    def one(self, address: str) -> Mail:
        mails = self.to(address)
        assert len(mails) == 1, [m.subject for m in mails]
        return mails[0]


@pytest.fixture
def inbox(container: Container, catcher: MailCatcher, tmp_path: Path) -> Inbox:
    mailer = Mailer(catcher.url, tmp_path / "unused")
    for deliverer in container.outbox.deliverers.values():
        if isinstance(deliverer, EmailDeliverer):
            deliverer.mailer = mailer
    return Inbox(container, catcher)

"""Through real SMTP, on SQLite and PostgreSQL: an SMTP outage delays mail
(retried with backoff) and loses none; a worker that dies after the SMTP
server took a mail but before marking it sent makes it go again with the
same Message-ID, which the catcher keeps once."""

from __future__ import annotations

import pytest

from boxoffice import outbox
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.outbox.domain import Message, Status
from tests.email.conftest import Inbox

ADDRESS = "fan@example.com"


class Crash(BaseException):
    """The process dies here."""


async def _notice(container: Container) -> None:
    async with container.outbox._uow(write=True) as uow:  # noqa: SLF001 - the change's transaction
        await outbox.enqueue(
            uow, kind=outbox.EMAIL_NOTICE, recipient=ADDRESS, dedupe_key="notice",
            payload={"subject": "Your transfer", "text": "It went through."}, now=container.clock.now(),
        )  # fmt: skip
        await uow.commit()


async def _message(container: Container) -> Message:
    async with container.outbox._uow() as uow:  # noqa: SLF001
        found = await uow.outbox.by_dedupe_key("notice")
    assert found is not None
    return found


async def test_an_smtp_outage_loses_nothing(inbox: Inbox, container: Container, clock: FakeClock) -> None:
    await _notice(container)
    inbox.catcher.stop()  # the SMTP server is down
    for _ in range(2):
        assert await container.outbox.run_once() == 0
        waiting = await _message(container)
        assert waiting.status is Status.PENDING and "Error" in (waiting.last_error or "")
        clock.set(waiting.next_attempt_at)  # type: ignore[arg-type]
    assert waiting.attempts == 2
    inbox.catcher.start()  # back, on the same port
    assert await inbox.deliver() == 1
    assert [m.subject for m in inbox.to(ADDRESS)] == ["Your transfer"]
    assert (await _message(container)).status is Status.SENT
    assert inbox.catcher.duplicates == 0


async def test_a_crash_between_send_and_mark_delivers_one_mail(
    inbox: Inbox, container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _notice(container)
    worker = container.outbox

    async def die(*args: object, **kw: object) -> None:
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(worker, "_finish", die)
        with pytest.raises(Crash):
            await worker.run_once()
    assert len(inbox.to(ADDRESS)) == 1  # the SMTP server has it ...
    assert (await _message(container)).status is Status.SENDING  # ... the outbox does not know
    clock.advance(seconds=301)  # the dead worker's claim runs out
    assert await inbox.deliver() == 1
    assert inbox.catcher.duplicates == 1  # sent again, same Message-ID, kept once
    assert len(inbox.to(ADDRESS)) == 1
    assert (await _message(container)).status is Status.SENT

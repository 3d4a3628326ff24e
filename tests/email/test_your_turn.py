"""Waiting-room and presale mails, on SQLite and PostgreSQL: each admitted fan
gets one "your turn" mail (none before the turn, none twice, none lost when
the admitter dies between admitting and mailing); a presale winner gets the code."""

from __future__ import annotations

import httpx
import pytest

from boxoffice import outbox
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.waitingroom.store import QueueStore
from tests.email.conftest import Inbox
from tests.support import T0, many_fans
from tests.waitingroom.conftest import SALE_OPENS, future_show, open_room, store  # noqa: F401 - fixtures

TURN = "It's your turn: Test Stadium Night"


async def test_each_admitted_fan_is_told_once(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock,  # noqa: F811
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await open_room(container, future_show, per_minute=60)
    fans = await many_fans(container, client, 4)
    for fan in fans:
        assert (await fan.post(f"/api/v1/shows/{future_show.id}/queue")).status_code == 200
    await inbox.deliver()  # welcome mails
    clock.set(SALE_OPENS)
    assert await container.waiting_room.admit(future_show.id) == 1
    await inbox.deliver()
    told = [f for f in fans if any(m.subject == TURN for m in inbox.to(f.email))]
    assert len(told) == 1
    mail = next(m for m in inbox.to(told[0].email) if m.subject == TURN)
    assert f"/shows/{future_show.id}" in mail.text

    store = container.waiting_room._store  # noqa: SLF001
    real = store.set_mailed

    async def die(show_id: str, cursor: int) -> None:
        raise ConnectionResetError("the admitter died before noting what it mailed")

    monkeypatch.setattr(store, "set_mailed", die)
    clock.advance(seconds=1)
    with pytest.raises(ConnectionResetError):
        await container.waiting_room.admit(future_show.id)
    monkeypatch.setattr(store, "set_mailed", real)
    clock.advance(seconds=2)
    assert await container.waiting_room.admit(future_show.id) == 2  # the rest; mails again from 1
    await inbox.deliver()
    for fan in fans:
        assert [m.subject for m in inbox.to(fan.email)].count(TURN) == 1


async def test_the_store_lists_admitted_fans_and_keeps_the_mail_mark(store: QueueStore) -> None:  # noqa: F811
    await store.freeze("show")  # no lottery: positions in arrival order
    for i in range(5):
        await store.join("show", f"fan-{i}", T0)
    assert await store.admitted_between("show", 1, 3) == ["fan-1", "fan-2"]
    assert await store.mailed("show") == 0
    await store.set_mailed("show", 3)
    assert await store.mailed("show") == 3


async def test_a_presale_winner_gets_the_code_in_the_venues_time_zone(
    container: Container, show: Show, inbox: Inbox
) -> None:
    account = await container.accounts.register("winner@example.com", "correct horse battery", "Bia", language="pt-BR")
    async with container.outbox._uow(write=True) as uow:  # noqa: SLF001 - as presale/service.py does
        await outbox.enqueue(
            uow, kind=outbox.EMAIL_PRESALE_CODE, account_id=account.id, now=container.clock.now(),
            dedupe_key=f"presale-code:{show.id}:{account.id}",
            payload={"show_id": show.id, "code": "PRE-1234-ABCD",
                     "starts_at": show.sale_opens_at.isoformat(), "ends_at": show.sale_closes_at.isoformat()},
        )  # fmt: skip
        await uow.commit()
    await inbox.deliver()
    mail = next(m for m in inbox.to("winner@example.com") if "pré-venda" in m.subject)
    assert mail.subject == f"Seu código de pré-venda para {show.name}"
    assert "PRE-1234-ABCD" in mail.text and "A pré-venda vai de" in mail.text and "(UTC)" in mail.text

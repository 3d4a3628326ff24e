"""The audit trail: one row per state change, in the change's transaction,
append-only, readable by organisers (API and CLI). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from boxoffice.bootstrap import Container
from boxoffice.cli import main
from boxoffice.clock import FakeClock
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import audit_events
from boxoffice.storage.uow import unit_of_work_factory
from tests.support import POSTGRES_URL, T0, organiser, sign_up


def _ids(show: Show) -> tuple[str, str]:
    ga = next(s for s in show.sections if s.kind.value == "ga")
    seated = next(s for s in show.sections if s.kind.value == "seated")
    return ga.id, seated.id


async def _rows(container: Container) -> int:
    async with container.database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(audit_events)) or 0)


async def test_a_purchase_tells_its_whole_story(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    ga, _ = _ids(show)
    fan = await sign_up(client)
    boss = await organiser(container, client)
    hold = (await fan.hold(show.id, ga, quantity=2)).json()
    declined = await fan.pay(hold["hold_id"], "try-1", outcome="decline")
    assert declined.status_code == 402
    paid = await fan.pay(hold["hold_id"], "try-2")
    assert paid.status_code == 201, paid.text
    order = paid.json()
    code = order["tickets"][0]["code"]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": code})).status_code == 200

    r = await boss.get(f"/api/v1/admin/orders/{order['order_id']}/audit")
    assert r.status_code == 200, r.text
    story = [(e["entity"], e["action"]) for e in r.json()]
    assert story == [
        ("hold", "created"), ("order", "created"), ("hold", "converted"),
        ("ticket", "issued"), ("ticket", "issued"), ("order", "paid"), ("ticket", "checked_in"),
    ]  # fmt: skip
    events = r.json()
    me = (await fan.get("/api/v1/me")).json()["id"]
    assert {e["account_id"] for e in events} == {me}
    assert events[0]["quantity"] == 2 and events[0]["hold_id"] == hold["hold_id"]
    assert events[5]["detail"]["amount_cents"] == order["amount_cents"]

    # The declined try is its own order, and the hold's trail shows both.
    r = await boss.get(f"/api/v1/admin/holds/{hold['hold_id']}/audit")
    actions = [(e["entity"], e["action"], e["detail"].get("reason")) for e in r.json()]
    assert ("order", "failed", "declined") in actions
    assert actions.count(("order", "created", None)) == 2


async def test_release_and_expiry_are_recorded(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    ga, seated = _ids(show)
    fan = await sign_up(client)
    boss = await organiser(container, client)
    released = (await fan.hold(show.id, ga, quantity=1)).json()
    assert (await fan.delete(f"/api/v1/holds/{released['hold_id']}")).status_code == 200
    seat_ids = [s["id"] for s in (await fan.get(f"/api/v1/shows/{show.id}/sections/{seated}/seats")).json()["seats"][:2]]
    expiring = (await fan.hold(show.id, seated, seat_ids=seat_ids)).json()
    clock.advance(minutes=11)
    assert await container.holds.sweep() == 1

    r = await boss.get(f"/api/v1/admin/holds/{released['hold_id']}/audit")
    assert [e["action"] for e in r.json()] == ["created", "released"]
    r = await boss.get(f"/api/v1/admin/holds/{expiring['hold_id']}/audit")
    created, expired = r.json()
    assert created["detail"]["seat_ids"] == seat_ids
    assert expired["action"] == "expired" and expired["quantity"] == 2
    assert expired["detail"]["expires_at"] == created["detail"]["expires_at"]


async def test_a_rolled_back_change_leaves_no_audit_row(container: Container, show: Show) -> None:
    ga, _ = _ids(show)
    account = await container.accounts.register("rollback@example.com", "correct horse battery", "R")
    hold = Hold(
        id="h" * 32, account_id=account.id, show_id=show.id, section_id=ga, quantity=1,
        seat_ids=(), status=HoldStatus.ACTIVE, created_at=T0, expires_at=T0 + timedelta(minutes=10),
        idempotency_key=None, fingerprint="f",
    )  # fmt: skip
    uow_factory = unit_of_work_factory(container.database)
    with pytest.raises(IntegrityError):
        async with uow_factory(write=True) as uow:
            await uow.holds.add(hold)
            await uow.holds.add(hold)  # the same id twice: the statement fails
            await uow.commit()
    with pytest.raises(RuntimeError):
        async with uow_factory(write=True) as uow:
            await uow.holds.add(hold)
            raise RuntimeError("the request failed before commit")
    assert await _rows(container) == 0
    async with uow_factory(write=True) as uow:
        await uow.holds.add(hold)
        await uow.commit()
    assert await _rows(container) == 1


async def test_the_trail_is_append_only(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    ga, _ = _ids(show)
    fan = await sign_up(client)
    await fan.hold(show.id, ga, quantity=1)
    for statement in (update(audit_events).values(action="forged"), delete(audit_events)):
        with pytest.raises(DBAPIError, match="append-only"):
            async with container.database.engine.begin() as conn:
                await conn.execute(statement)
    assert await _rows(container) == 1


async def test_the_cli_prints_an_orders_trail(
    client: httpx.AsyncClient, container: Container, show: Show, backend: str,
    tmp_path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ga, _ = _ids(show)
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, ga, quantity=1)).json()
    order = (await fan.pay(hold["hold_id"], "cli")).json()
    monkeypatch.setenv("BOXOFFICE_DATA_DIR", str(tmp_path))
    if backend == "postgres":
        monkeypatch.setenv("BOXOFFICE_DATABASE_URL", POSTGRES_URL)
    else:
        monkeypatch.delenv("BOXOFFICE_DATABASE_URL", raising=False)
    runner = CliRunner()
    done = await asyncio.to_thread(runner.invoke, main, ["audit", order["order_id"]])
    assert done.exit_code == 0, done.output
    lines = done.output.strip().splitlines()
    assert [line.split()[1:3] for line in lines[1:]] == [
        ["hold", "created"], ["order", "created"], ["hold", "converted"],
        ["ticket", "issued"], ["order", "paid"],
    ]  # fmt: skip
    unknown = await asyncio.to_thread(runner.invoke, main, ["audit", "0" * 32])
    assert unknown.exit_code == 1
    assert "No order or hold has the id" in unknown.output

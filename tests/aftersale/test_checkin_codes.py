"""Rotating codes: a screenshot is useless after a minute, the live code
passes, the static code works only where rotation is off, and the offline
export lets a gate verify codes by itself."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
from click.testing import CliRunner

from boxoffice.bootstrap import Container
from boxoffice.checkin.domain import otp, parse, payload, ticket_secret, verify
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from tests.aftersale.helpers import buy
from boxoffice.cli import main
from tests.support import POSTGRES_URL, organiser, sign_up

T = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)


def test_totp_matches_rfc_6238() -> None:
    secret = b"12345678901234567890"  # the RFC's SHA-1 test secret
    assert otp(secret, datetime.fromtimestamp(59, UTC)) == "287082"
    assert otp(secret, datetime.fromtimestamp(1111111109, UTC)) == "081804"


def test_a_code_is_good_for_its_window_only() -> None:
    secret = ticket_secret(b"server", "CODE")
    now = otp(secret, T)
    assert verify(secret, now, T + timedelta(seconds=30))  # one step of tolerance
    assert not verify(secret, now, T + timedelta(seconds=90))  # a screenshot a minute later
    assert ticket_secret(b"server", "OTHER") != secret
    assert parse(payload("abc-_D", "012345")).one_time == "012345"
    assert parse("abc-_D").one_time is None


async def test_the_gate_takes_the_live_code_not_a_screenshot(
    client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock
) -> None:
    fan, boss = await sign_up(client), await organiser(container, client)
    codes = [t["code"] for t in (await buy(fan, show, quantity=3))["tickets"]]
    live = (await fan.get(f"/api/v1/tickets/{codes[0]}/live")).json()
    assert live == {"payload": codes[0], "rotating": False, "valid_for_seconds": 0}  # rotation off: static
    assert (await boss.post("/api/v1/admin/checkin", json={"code": codes[0]})).status_code == 200

    await boss.patch(f"/api/v1/admin/shows/{show.id}/after-sale", json={"rotating_codes": True})
    live = (await fan.get(f"/api/v1/tickets/{codes[1]}/live")).json()
    assert live["rotating"] and live["payload"].startswith(f"BX1.{codes[1]}.")
    r = await boss.post("/api/v1/admin/checkin", json={"code": codes[1]})  # the static code
    assert (r.status_code, r.json()["error"]["code"]) == (409, "code_expired")
    screenshot = live["payload"]
    clock.advance(minutes=2)
    r = await boss.post("/api/v1/admin/checkin", json={"code": screenshot})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "code_expired")
    fresh = (await fan.get(f"/api/v1/tickets/{codes[1]}/live")).json()["payload"]
    assert (await boss.post("/api/v1/admin/checkin", json={"code": fresh})).status_code == 200
    r = await boss.post("/api/v1/admin/checkin", json={"code": fresh})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_used")
    svg = await fan.get(f"/api/v1/tickets/{codes[2]}/qr.svg")
    assert svg.status_code == 200 and svg.headers["cache-control"] == "no-store"

    # offline: the export's secret computes the same live code at the gate
    export = (await boss.get(f"/api/v1/admin/shows/{show.id}/checkin-export")).json()
    assert export["rotating"] and export["totp"]["period"] == 30
    rows = {t["code"]: t for t in export["tickets"]}
    assert set(rows) == set(codes)
    raw = base64.b32decode(rows[codes[2]]["secret"] + "=" * (-len(rows[codes[2]]["secret"]) % 8))
    shown = (await fan.get(f"/api/v1/tickets/{codes[2]}/live")).json()["payload"]
    assert verify(raw, parse(shown).one_time or "", clock.now())
    r = await fan.get(f"/api/v1/admin/shows/{show.id}/checkin-export")
    assert r.status_code == 403


async def test_checkin_export_command(
    container: Container, show: Show, client: httpx.AsyncClient, backend: str, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    fan = await sign_up(client)
    await buy(fan, show, quantity=2)
    monkeypatch.setenv("BOXOFFICE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOXOFFICE_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
    if backend == "postgres":
        monkeypatch.setenv("BOXOFFICE_DATABASE_URL", POSTGRES_URL)
    else:
        monkeypatch.delenv("BOXOFFICE_DATABASE_URL", raising=False)
    runner = CliRunner()
    done = await asyncio.to_thread(runner.invoke, main, ["checkin", "export", show.id])
    assert done.exit_code == 0, done.output
    exported = json.loads(done.output)
    assert exported["show_id"] == show.id and len(exported["tickets"]) == 2
    api = (await (await organiser(container, client)).get(f"/api/v1/admin/shows/{show.id}/checkin-export")).json()
    assert [t["secret"] for t in api["tickets"]] == [t["secret"] for t in exported["tickets"]]
    unknown = await asyncio.to_thread(runner.invoke, main, ["checkin", "export", "0" * 32])
    assert unknown.exit_code == 1 and "does not exist" in unknown.output

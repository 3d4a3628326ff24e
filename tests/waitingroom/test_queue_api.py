"""The waiting room through the API, on SQLite and PostgreSQL: the lottery for
early arrivals, arrival order after, admission at the room's rate, and the
admission token the hold endpoint insists on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.waitingroom.domain import draw_order, pseudonym
from boxoffice.waitingroom.tokens import AdmissionTokens
from tests.support import Fan, many_fans
from tests.waitingroom.conftest import SALE_OPENS, app_with, open_room


async def _account_id(fan: Fan) -> str:
    r = await fan.get("/api/v1/me")
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


async def _place(fan: Fan, show: Show) -> dict:
    r = await fan.get(f"/api/v1/shows/{show.id}/queue")
    assert r.status_code == 200, r.text
    return r.json()


async def _join(fan: Fan, show: Show) -> dict:
    r = await fan.post(f"/api/v1/shows/{show.id}/queue")
    assert r.status_code == 200, r.text
    return r.json()


async def _hold(show: Show, fan: Fan, token: str | None, quantity: int) -> httpx.Response:
    """Hold GA tickets with an admission token."""
    return await fan.post(
        "/api/v1/holds",
        json={"show_id": show.id, "section_id": show.sections[0].id, "quantity": quantity},
        headers={"X-Admission-Token": token} if token else {},
    )


async def _open_sale_and_admit(container: Container, clock: FakeClock, show: Show) -> int:
    clock.set(SALE_OPENS)
    return await container.waiting_room.admit(show.id)


async def test_the_organiser_turns_the_room_on(
    container: Container, client: httpx.AsyncClient, future_show: Show, admin: Fan, clock: FakeClock
) -> None:
    body = {"enabled": True, "opens_at": clock.now().isoformat(), "admit_per_minute": 120}
    r = await admin.client.put(
        f"/api/v1/admin/shows/{future_show.id}/waiting-room", json=body, headers=admin.auth
    )
    assert r.status_code == 200, r.text
    room = r.json()
    assert (room["enabled"], room["admit_per_minute"], room["seed"]) == (True, 120, None)
    r = await admin.get(f"/api/v1/admin/shows/{future_show.id}/waiting-room")
    assert r.json()["admit_per_minute"] == 120
    fan = (await many_fans(container, client, 1))[0]
    r = await fan.client.put(
        f"/api/v1/admin/shows/{future_show.id}/waiting-room", json=body, headers=fan.auth
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"opens_at": (SALE_OPENS + timedelta(minutes=1)).isoformat()},  # after the sale opens
        {"admit_per_minute": 0},
        {"max_active": -1},
        {"window_minutes": 0.5},
        {"opens_at": "2030-01-01T12:00:00"},  # no time zone
        {"surprise": True},
    ],
)
async def test_bad_room_settings_are_refused_and_change_nothing(
    container: Container, future_show: Show, admin: Fan, clock: FakeClock, change: dict
) -> None:
    body = {"enabled": True, "opens_at": clock.now().isoformat(), "admit_per_minute": 60, **change}
    r = await admin.client.put(
        f"/api/v1/admin/shows/{future_show.id}/waiting-room", json=body, headers=admin.auth
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] in {"invalid_request", "validation_failed"}
    assert await container.waiting_room.room(future_show.id) is None


async def test_no_room_or_not_yet_open_is_a_clear_409(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    fan = (await many_fans(container, client, 1))[0]
    r = await fan.post(f"/api/v1/shows/{future_show.id}/queue")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "queue_not_open")
    await open_room(container, future_show)
    clock.set(clock.now() - timedelta(minutes=1))
    r = await fan.post(f"/api/v1/shows/{future_show.id}/queue")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "queue_not_open")
    assert "opens at" in r.json()["error"]["message"]
    r = await fan.get(f"/api/v1/shows/{future_show.id}/queue")
    assert r.status_code == 409


async def test_early_arrivals_are_ordered_by_a_lottery_anyone_can_recompute(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    await open_room(container, future_show)
    fans = await many_fans(container, client, 30)
    for fan in fans:
        place = await _join(fan, future_show)
        assert (place["status"], place["position"]) == ("waiting", None)
        assert place["poll_after_seconds"] == 15
        clock.advance(seconds=7)
    r = await client.get(f"/api/v1/shows/{future_show.id}/queue/lottery")
    assert r.json()["seed"] is None  # not published before the draw

    await _open_sale_and_admit(container, clock, future_show)

    lottery = (await client.get(f"/api/v1/shows/{future_show.id}/queue/lottery")).json()
    assert lottery["entrants"] == 30 and lottery["seed"]
    ids = [await _account_id(fan) for fan in fans]
    by_id = {pseudonym(lottery["salt"], account_id): account_id for account_id in ids}
    expected = [by_id[p] for p in draw_order(lottery["seed"], lottery["beacon"], by_id)]
    positions = {ids[i]: (await _place(fan, future_show))["position"] for i, fan in enumerate(fans)}
    assert sorted(ids, key=positions.__getitem__) == expected
    assert sorted(positions.values()) == list(range(1, 31))
    assert expected != ids  # arrival order was not kept


async def test_after_the_sale_opens_late_arrivals_queue_in_arrival_order(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    await open_room(container, future_show)
    early = await many_fans(container, client, 5)
    for fan in early:
        await _join(fan, future_show)
    await _open_sale_and_admit(container, clock, future_show)
    late = await many_fans(container, client, 5)
    for fan in late:
        clock.advance(seconds=1)
        await _join(fan, future_show)
    assert [(await _place(f, future_show))["position"] for f in late] == [6, 7, 8, 9, 10]
    again = await _join(late[0], future_show)  # joining again keeps the place
    assert again["position"] == 6


async def test_admission_follows_the_rate_and_the_token_opens_the_hold_path(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    await open_room(container, future_show, per_minute=60, window_minutes=2)
    fans = await many_fans(container, client, 4)
    for fan in fans:
        await _join(fan, future_show)
    assert await _open_sale_and_admit(container, clock, future_show) == 1  # 1 a second
    places = {f.email: await _place(f, future_show) for f in fans}
    by_position = sorted(fans, key=lambda f: places[f.email]["position"])
    first, second = by_position[0], by_position[1]
    assert places[first.email]["status"] == "admitted"
    assert places[second.email]["status"] == "waiting"
    assert places[second.email]["ahead"] == 0
    assert places[second.email]["estimated_wait_seconds"] == 1
    assert places[second.email]["poll_after_seconds"] == 2  # near the front: ask often
    token = places[first.email]["admission_token"]

    r = await _hold(future_show, second, None, quantity=1)  # not admitted yet
    assert (r.status_code, r.json()["error"]["reason"]) == (403, "admission_required")
    r = await _hold(future_show, second, token, quantity=1)
    assert (r.status_code, r.json()["error"]["reason"]) == (403, "admission_invalid")
    forged = AdmissionTokens(b"not-the-server-secret").issue(
        await _account_id(second), future_show.id, 2, clock.now() + timedelta(hours=1)
    )
    r = await _hold(future_show, second, forged, quantity=1)
    assert (r.status_code, r.json()["error"]["reason"]) == (403, "admission_invalid")
    r = await _hold(future_show, first, token, quantity=2)
    assert r.status_code == 201, r.text

    clock.advance(seconds=1)
    assert await container.waiting_room.admit(future_show.id) == 1
    assert (await _place(second, future_show))["status"] == "admitted"
    clock.advance(seconds=2)
    assert await container.waiting_room.admit(future_show.id) == 2  # the rest of the line
    assert await container.waiting_room.admit(future_show.id) == 0


async def test_an_admitted_fan_who_does_not_buy_in_time_loses_the_turn(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    await open_room(container, future_show, window_minutes=2)
    fan = (await many_fans(container, client, 1))[0]
    await _join(fan, future_show)
    await _open_sale_and_admit(container, clock, future_show)
    place = await _place(fan, future_show)
    assert place["status"] == "admitted"
    clock.advance(minutes=2)
    assert (await _place(fan, future_show))["status"] == "expired"
    r = await _hold(future_show, fan, place["admission_token"], quantity=1)
    assert (r.status_code, r.json()["error"]["reason"]) == (403, "admission_expired")


async def test_with_max_active_a_buyer_who_pays_lets_the_next_one_in(
    container: Container, client: httpx.AsyncClient, future_show: Show, clock: FakeClock
) -> None:
    await open_room(container, future_show, per_minute=600, max_active=1)
    fans = await many_fans(container, client, 3)
    for fan in fans:
        await _join(fan, future_show)
    assert await _open_sale_and_admit(container, clock, future_show) == 1
    clock.advance(seconds=30)
    assert await container.waiting_room.admit(future_show.id) == 0  # the one place is taken
    places = {f.email: await _place(f, future_show) for f in fans}
    buyer = next(f for f in fans if places[f.email]["status"] == "admitted")
    r = await _hold(future_show, buyer, places[buyer.email]["admission_token"], quantity=1)
    assert r.status_code == 201, r.text
    assert (await buyer.pay(r.json()["hold_id"], "pay-1")).status_code == 201
    clock.advance(seconds=1)
    assert await container.waiting_room.admit(future_show.id) == 1


async def test_queue_polling_is_rate_limited_per_account_with_retry_after(
    tmp_path: Path, database_url: str, clock: FakeClock, future_show: Show
) -> None:
    async with app_with(tmp_path, database_url, clock, queue_rate="3/minute") as (limited, client):
        await open_room(limited, future_show)
        fan = (await many_fans(limited, client, 1))[0]
        statuses = [(await fan.post(f"/api/v1/shows/{future_show.id}/queue")).status_code
                    for _ in range(3)]  # fmt: skip
        r = await fan.get(f"/api/v1/shows/{future_show.id}/queue")
        assert statuses == [200, 200, 200]
        assert (r.status_code, r.json()["error"]["code"]) == (429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1
        other = (await many_fans(limited, client, 1))[0]  # per account, not for everyone
        assert (await other.post(f"/api/v1/shows/{future_show.id}/queue")).status_code == 200

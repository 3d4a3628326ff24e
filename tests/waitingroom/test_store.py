"""The queue stores (in-process and Redis) keep the same line: one place per
account, lottery places for early entrants, arrival order after, and a cursor
that two racing admitters can never move twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from boxoffice.waitingroom.domain import QueueView, lottery_order
from boxoffice.waitingroom.store import QueueStore
from tests.support import T0

SHOW = "show-1"


async def _join_all(store: QueueStore, accounts: list[str], start: int = 0) -> list[int | None]:
    return [
        await store.join(SHOW, account, T0 + timedelta(seconds=start + i))
        for i, account in enumerate(accounts)
    ]


async def test_joining_again_keeps_the_same_place(store: QueueStore) -> None:
    assert await store.join(SHOW, "early", T0) is None
    assert await store.join(SHOW, "early", T0 + timedelta(minutes=1)) is None
    assert await store.freeze(SHOW) == 1
    late = await store.join(SHOW, "late", T0 + timedelta(minutes=2))
    assert late == 2
    assert await store.join(SHOW, "late", T0 + timedelta(minutes=3)) == 2
    assert await store.join(SHOW, "early", T0 + timedelta(minutes=3)) is None  # still in the draw
    assert await store.position(SHOW, "early") == (True, None)
    assert await store.position(SHOW, "nobody") == (False, None)


async def test_early_entrants_get_lottery_places_and_late_ones_arrival_order(
    store: QueueStore,
) -> None:
    early = [f"early-{i}" for i in range(50)]
    assert await _join_all(store, early) == [None] * 50
    assert await store.freeze(SHOW) == 50
    late = [f"late-{i}" for i in range(10)]
    assert await _join_all(store, late, start=100) == list(range(51, 61))

    order = lottery_order("published-seed", await store.early_entrants(SHOW))
    await store.place_early(SHOW, order)

    places = {a: (await store.position(SHOW, a))[1] for a in early + late}
    assert sorted(early, key=places.__getitem__) == order
    assert order != early  # a shuffled order, not the arrival order
    assert [places[a] for a in late] == list(range(51, 61))
    state = await store.state(SHOW)
    assert (state.line_length, state.drawn, state.cursor) == (60, True, 0)


async def test_the_cursor_only_moves_from_the_cursor_it_was_read_at(store: QueueStore) -> None:
    await store.freeze(SHOW)
    await _join_all(store, [f"fan-{i}" for i in range(10)])
    assert await store.advance(SHOW, 0, 3, T0, 0.0) == 3
    assert await store.advance(SHOW, 0, 3, T0, 0.0) is None  # a stale admitter loses
    assert await store.advance(SHOW, 3, 100, T0 + timedelta(seconds=1), 0.5) == 10  # capped
    state = await store.state(SHOW)
    assert (state.cursor, state.carry, state.last_admit_at) == (10, 0.5, T0 + timedelta(seconds=1))
    assert await store.admitted_at(SHOW, 2) == T0
    assert await store.admitted_at(SHOW, 4) == T0 + timedelta(seconds=1)
    assert await store.admitted_at(SHOW, 11) is None


async def test_racing_admitters_admit_nobody_twice_and_skip_nobody(store: QueueStore) -> None:
    await store.freeze(SHOW)
    await _join_all(store, [f"fan-{i}" for i in range(500)])

    async def admitter(moved: list[int], lost: list[int]) -> None:
        for tick in range(200):
            state = await store.state(SHOW)
            await asyncio.sleep(0)  # let the other admitter read the same cursor
            new = await store.advance(SHOW, state.cursor, 3, T0 + timedelta(seconds=tick), 0.0)
            if new is None:
                lost.append(tick)
            else:
                moved.append(new - state.cursor)

    first: list[int] = []
    second: list[int] = []
    lost: list[int] = []
    await asyncio.gather(admitter(first, lost), admitter(second, lost))
    cursor = (await store.state(SHOW)).cursor
    # Every admission is one step of the cursor: the steps add up exactly to it.
    assert sum(first) + sum(second) == cursor
    assert lost  # they really raced: stale admitters were turned away
    admitted = [(await store.admitted_at(SHOW, p)) for p in range(1, cursor + 1)]
    assert None not in admitted
    assert admitted == sorted(admitted)  # in queue order


async def test_active_buyers_are_the_admitted_not_yet_finished_within_the_window(
    store: QueueStore,
) -> None:
    await store.freeze(SHOW)
    await _join_all(store, [f"fan-{i}" for i in range(6)])
    await store.advance(SHOW, 0, 2, T0, 0.0)  # fan-0, fan-1
    await store.advance(SHOW, 2, 3, T0 + timedelta(minutes=5), 0.0)  # fan-2..4
    assert await store.active(SHOW, since=T0) == 5
    await store.finish(SHOW, "fan-3")
    assert await store.active(SHOW, since=T0) == 4
    # Ten minutes' window from T0+2min: the first two fell out of it.
    assert await store.active(SHOW, since=T0 + timedelta(minutes=2)) == 2
    await store.forget(SHOW)
    assert (await store.state(SHOW)).line_length == 0


async def test_one_poll_sees_the_place_the_cursor_and_when_the_fan_was_admitted(
    store: QueueStore,
) -> None:
    await store.join(SHOW, "early", T0)
    assert await store.view(SHOW, "early") == (True, QueueView(None, 0, None, 1))
    assert await store.view(SHOW, "stranger") == (False, QueueView(None, 0, None, 1))
    await store.freeze(SHOW)
    await store.place_early(SHOW, ["early"])
    await store.join(SHOW, "late", T0 + timedelta(seconds=5))
    await store.advance(SHOW, 0, 1, T0 + timedelta(minutes=1), 0.0)
    assert await store.view(SHOW, "early") == (True, QueueView(1, 1, T0 + timedelta(minutes=1), 2))
    assert await store.view(SHOW, "late") == (True, QueueView(2, 1, None, 2))

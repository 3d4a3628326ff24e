"""The fairness check anyone can run: simulated fans, some of them bots, go
through a real waiting room (the service and a queue store, on a throwaway
SQLite database and a fake clock), and the report says whether the order of
admission followed the queue and whether bots gained anything.

The scenario is the on-sale minute of a mega show:
- everyone joins before the sale opens: bots the instant the room opens, from
  many sessions at once; humans at random moments of the half hour before;
- bots poll 50 times as often as humans, before and after the sale opens;
- a share of fans (bots and humans alike) arrive after the sale has opened;
- two admitters run at once every second, as they would on two app servers.

What it reports:
- admission rank correlation: Spearman's rho between queue position and the
  moment each fan was admitted; 1.0 means admission followed the queue exactly;
- bots' and humans' mean position among the early (lottery) entrants, and a
  z-score of the bots' mean against a uniformly random order (|z| < 3: no
  advantage beyond chance);
- places per account: joining from many sessions still gives one place.
"""

from __future__ import annotations

import asyncio
import math
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from boxoffice.accounts.domain import Account, Role
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import SectionKind, SectionSpec, Show, ShowSpec
from boxoffice.waitingroom.domain import PlaceStatus
from boxoffice.waitingroom.service import RoomSettings, WaitingRoomService
from boxoffice.waitingroom.store import QueueStore

START = datetime(2030, 6, 1, 9, 30, tzinfo=UTC)
ROOM_OPEN_MINUTES = 30
BOT_POLL_RATIO = 50  # a bot polls 50 times as often as a person...
HUMAN_POLL_SECONDS = 50  # ...whose page refreshes about this often (a bot: every second)


@dataclass(frozen=True, slots=True)
class FairnessReport:
    fans: int
    bots: int
    early: int
    admitted: int
    places_per_account: float
    admission_rank_correlation: float
    bots_mean_position: float
    humans_mean_position: float
    bots_z_score: float
    polls_by_bots: int
    polls_by_humans: int

    def lines(self) -> list[str]:
        return [
            f"fans: {self.fans} ({self.bots} bots, {self.early} joined before the sale opened)",
            f"places per account: {self.places_per_account:.2f} (bots joined from many sessions)",
            f"polls: bots {self.polls_by_bots}, humans {self.polls_by_humans}",
            f"admitted: {self.admitted}",
            f"admission rank correlation (queue order vs admission order): "
            f"{self.admission_rank_correlation:.6f}",
            f"mean lottery position: bots {self.bots_mean_position:.1f}, "
            f"humans {self.humans_mean_position:.1f} (of {self.early})",
            f"bots' z-score against a random order: {self.bots_z_score:+.2f} "
            f"({'no advantage beyond chance' if abs(self.bots_z_score) < 3 else 'SUSPICIOUS'})",
        ]


@dataclass
class _Fan:
    account: Account
    bot: bool
    joins_at: int  # seconds after the room opens
    admitted_at: datetime | None = None
    position: int | None = None


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else 1.0


def z_score_of_mean_position(mean: float, picked: int, total: int) -> float:
    """How far `picked` positions drawn from 1..total without replacement sit
    from a uniformly random draw, in standard deviations."""
    if picked == 0 or picked == total:
        return 0.0
    expected = (total + 1) / 2
    sd = math.sqrt((total + 1) * (total - picked) / (12 * picked))
    return (mean - expected) / sd


async def check_fairness(
    store: QueueStore,
    *,
    fans: int = 2000,
    bot_share: float = 0.1,
    late_share: float = 0.1,
    sessions_per_bot: int = 5,
    seed: int = 7,
    progress: Callable[[str], None] = lambda _: None,
) -> FairnessReport:
    """Run the scenario on a throwaway database with `store` holding the line."""
    with tempfile.TemporaryDirectory(prefix="boxoffice-fairness-") as folder:
        return await _Simulation(store, Path(folder), random.Random(seed), progress).run(
            fans, bot_share, late_share, sessions_per_bot
        )


class _Simulation:
    def __init__(
        self, store: QueueStore, folder: Path, rng: random.Random, progress: Callable[[str], None]
    ) -> None:
        self._store = store
        self._folder = folder
        self._rng = rng
        self._progress = progress
        self._clock = FakeClock(START)
        self._polls = {True: 0, False: 0}

    async def run(
        self, count: int, bot_share: float, late_share: float, sessions_per_bot: int
    ) -> FairnessReport:
        from boxoffice.bootstrap import build_container
        from boxoffice.settings import Settings
        from boxoffice.storage.migrate import migrate

        settings = Settings(env="test", data_dir=self._folder, secret_key="fairness-" + "x" * 32)
        container = build_container(settings, clock=self._clock, queue_store=self._store)
        try:
            await migrate(container.database)
            show = await container.inventory.create_show(_show_spec(count))
            await container.waiting_room.configure(
                show.id, RoomSettings(True, START, admit_per_minute=60, window_minutes=10)
            )
            fans = self._fans(count, bot_share, late_share)
            await self._before_the_sale(container.waiting_room, show, fans, sessions_per_bot)
            await self._after_the_sale(container.waiting_room, show, fans, sessions_per_bot)
            distinct = (await self._store.state(show.id)).line_length
            await self._store.forget(show.id)
        finally:
            await container.database.dispose()
        return self._report(fans, distinct)

    def _fans(self, count: int, bot_share: float, late_share: float) -> list[_Fan]:
        before = ROOM_OPEN_MINUTES * 60
        result = []
        for i in range(count):
            bot = self._rng.random() < bot_share
            late = self._rng.random() < late_share
            if late:  # arrives in the first minutes of the sale, bot or not
                joins_at = before + self._rng.randrange(0, 300)
            else:
                joins_at = 0 if bot else self._rng.randrange(0, before)
            account = Account(f"fan-{i:07d}", f"fan{i}@example.com", "Fan", Role.FAN, START)
            result.append(_Fan(account, bot, joins_at))
        return result

    async def _before_the_sale(
        self, room: WaitingRoomService, show: Show, fans: list[_Fan], sessions: int
    ) -> None:
        before = ROOM_OPEN_MINUTES * 60
        early = sorted((f for f in fans if f.joins_at < before), key=lambda f: f.joins_at)
        self._progress(f"{len(early)} fans join before the sale opens")
        for fan in early:
            self._clock.set(START + timedelta(seconds=fan.joins_at))
            await self._join(room, show, fan, sessions)
        # Bots hammer the poll endpoint while they wait; it changes nothing.
        for fan in early:
            await self._poll(room, show, fan, BOT_POLL_RATIO if fan.bot else 1)
        self._clock.set(show.sale_opens_at)

    async def _after_the_sale(
        self, room: WaitingRoomService, show: Show, fans: list[_Fan], sessions: int
    ) -> None:
        before = ROOM_OPEN_MINUTES * 60
        late = sorted((f for f in fans if f.joins_at >= before), key=lambda f: f.joins_at)
        second = 0
        while any(f.admitted_at is None for f in fans):
            now = show.sale_opens_at + timedelta(seconds=second)
            self._clock.set(now)
            while late and late[0].joins_at <= before + second:
                await self._join(room, show, late.pop(0), sessions)
            await asyncio.gather(room.admit(show.id), room.admit(show.id))  # two admitters race
            for fan in fans:
                waiting = fan.admitted_at is None and fan.joins_at <= before + second
                if waiting and (fan.bot or (second + fan.joins_at) % HUMAN_POLL_SECONDS == 0):
                    await self._poll(room, show, fan, 1)
            second += 1
            if second % 300 == 0:
                admitted = sum(f.admitted_at is not None for f in fans)
                self._progress(f"sale minute {second // 60}: {admitted} of {len(fans)} admitted")
        # Everyone's admission time, as the line records it (not as polls saw it).
        for fan in fans:
            await self._record(room, show, fan)

    async def _join(self, room: WaitingRoomService, show: Show, fan: _Fan, sessions: int) -> None:
        times = sessions if fan.bot else 1
        await asyncio.gather(*(room.join(fan.account, show) for _ in range(times)))

    async def _poll(self, room: WaitingRoomService, show: Show, fan: _Fan, times: int) -> None:
        for _ in range(times):
            place = await room.place(fan.account, show)
            self._polls[fan.bot] += 1
            if place.status.status is not PlaceStatus.WAITING and fan.admitted_at is None:
                fan.admitted_at = self._clock.now()

    async def _record(self, room: WaitingRoomService, show: Show, fan: _Fan) -> None:
        _, position = await self._store.position(show.id, fan.account.id)
        assert position is not None, "every fan has a place once the lottery is drawn"
        fan.position = position
        fan.admitted_at = await self._store.admitted_at(show.id, position)

    def _report(self, fans: list[_Fan], distinct: int) -> FairnessReport:
        before = ROOM_OPEN_MINUTES * 60
        admitted = [f for f in fans if f.admitted_at is not None and f.position is not None]
        rho = spearman(
            [float(f.position or 0) for f in admitted],
            [f.admitted_at.timestamp() for f in admitted if f.admitted_at is not None],
        )
        early = [f for f in fans if f.joins_at < before]
        bots = [float(f.position or 0) for f in early if f.bot]
        humans = [float(f.position or 0) for f in early if not f.bot]
        bots_mean = sum(bots) / len(bots) if bots else math.nan
        return FairnessReport(
            fans=len(fans),
            bots=sum(f.bot for f in fans),
            early=len(early),
            admitted=len(admitted),
            places_per_account=distinct / len(fans),
            admission_rank_correlation=rho,
            bots_mean_position=bots_mean,
            humans_mean_position=sum(humans) / len(humans) if humans else math.nan,
            bots_z_score=z_score_of_mean_position(bots_mean, len(bots), len(early)) if bots else 0.0,
            polls_by_bots=self._polls[True],
            polls_by_humans=self._polls[False],
        )


def _show_spec(fans: int) -> ShowSpec:
    opens = START + timedelta(minutes=ROOM_OPEN_MINUTES)
    return ShowSpec(
        name="Fairness check",
        venue="Simulated stadium",
        starts_at=opens + timedelta(days=30),
        sale_opens_at=opens,
        sale_closes_at=opens + timedelta(days=29),
        per_account_limit=4,
        currency="BRL",
        sections=(SectionSpec("Pista", SectionKind.GA, 10_000, capacity=max(fans, 1)),),
    )

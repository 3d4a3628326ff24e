"""The waiting room: join, poll, the lottery draw, admission, and the gate
on the hold path (this service is the hold path's AdmissionGate)."""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from boxoffice import outbox
from boxoffice.accounts.domain import Account
from boxoffice.cache.base import Cache
from boxoffice.cache.local import LocalCache
from boxoffice.clock import Clock
from boxoffice.errors import Busy, NotFound, QueueNotOpen, SaleNotOpen
from boxoffice.inventory.domain import SaleStatus, Show
from boxoffice.redisclient import REDIS_FAILURES
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.waitingroom.domain import (
    PlaceStatus,
    QueueStatus,
    WaitingRoom,
    admissions_due,
    check_room_settings,
    draw_order,
    pseudonym,
    status_of,
)
from boxoffice.waitingroom.store import AdmissionState, QueueStore
from boxoffice.waitingroom.polls import LineSnapshot, QuickPolls
from boxoffice.waitingroom.tokens import AdmissionTokens, PlaceTokens

ROOM_TTL = 5.0
YOUR_TURN_BATCH = 2000  # "your turn" mails enqueued per admission round, at most
STORE_FAILURES = REDIS_FAILURES
log = logging.getLogger("boxoffice.waitingroom")


@contextlib.asynccontextmanager
async def store_errors_as_busy() -> AsyncIterator[None]:
    """An unreachable queue store means "try again shortly", never a 500."""
    try:
        yield
    except STORE_FAILURES as exc:
        log.warning("queue store unreachable: %s", exc)
        raise Busy("The waiting room is briefly unavailable; keep this page open.") from exc


@dataclass(frozen=True, slots=True)
class Place:
    show_id: str
    status: QueueStatus
    token: str | None
    lottery_at: datetime
    lottery_id: str | None = None  # the fan's pseudonymous id in the published draw
    place_token: str | None = None  # carries the place in later polls (polls.py)


@dataclass(frozen=True, slots=True)
class RoomSettings:
    enabled: bool
    opens_at: datetime
    admit_per_minute: int
    max_active: int | None = None
    window_minutes: float = 10
    beacon: str | None = None  # a public value unknown when the room was configured


class WaitingRoomService:
    def __init__(
        self, uow: UnitOfWorkFactory, store: QueueStore, clock: Clock, tokens: AdmissionTokens,
        cache: Cache, local: LocalCache | None = None, place_tokens: PlaceTokens | None = None,
    ) -> None:  # fmt: skip
        self._local = local or LocalCache(clock, 0)
        self._uow = uow
        self._store = store
        self._clock = clock
        self._tokens = tokens
        self._cache = cache
        self.polls = QuickPolls(
            place_tokens or PlaceTokens(secrets.token_bytes(32)), clock, self._local,
            self.local_room, self._load_line,
        )  # fmt: skip

    # -- organiser ------------------------------------------------------------

    async def configure(self, show_id: str, settings: RoomSettings) -> WaitingRoom:
        async with self._uow(write=True) as uow:
            show = await _show(uow, show_id)
            check_room_settings(
                settings.opens_at, show.sale_opens_at, settings.admit_per_minute,
                settings.max_active, settings.window_minutes,
            )  # fmt: skip
            existing = await uow.rooms.get(show_id)
            room = WaitingRoom(
                show_id=show_id, enabled=settings.enabled, opens_at=settings.opens_at,
                admit_per_minute=settings.admit_per_minute, max_active=settings.max_active,
                window_minutes=settings.window_minutes,
                seed=existing.seed if existing else secrets.token_hex(16),
                drawn_at=existing.drawn_at if existing else None,
                salt=(existing.salt if existing else "") or secrets.token_hex(16),
                beacon=_beacon(existing, settings.beacon, self._clock.now() >= show.sale_opens_at),
            )  # fmt: skip
            await uow.rooms.save(room, exists=existing is not None)
            await uow.commit()
        await self._cache.delete(f"room:{show_id}")
        self._local.drop(show_id, "room")
        return room

    async def room(self, show_id: str) -> WaitingRoom | None:
        raw = await self._cache.get(f"room:{show_id}")
        if raw is not None:
            return _room_from_json(raw)
        async with self._uow() as uow:
            room = await uow.rooms.get(show_id)
        await self._cache.set(f"room:{show_id}", _room_to_json(room), ROOM_TTL)
        return room

    # -- fans -----------------------------------------------------------------

    async def join(self, account: Account, show: Show) -> Place:
        """Take a place in the line; joining again returns the same place."""
        await self._open_room(show)
        now = self._clock.now()
        async with store_errors_as_busy():
            if now >= show.sale_opens_at:
                await self._store.freeze(show.id)  # from the sale's start, no more lottery entries
            await self._store.join(show.id, account.id, now)
        return await self.place(account, show)

    async def place(self, account: Account, show: Show) -> Place:
        room = await self._open_room(show)
        async with store_errors_as_busy():
            return await self._place(account, show, room)

    async def _place(self, account: Account, show: Show, room: WaitingRoom) -> Place:
        in_line, view = await self._store.view(show.id, account.id)
        if not in_line:
            raise NotFound("You are not in the queue for this show: join it first.")
        now = self._clock.now()
        status = status_of(view, room, now)
        token = None
        if status.status is PlaceStatus.ADMITTED:
            assert status.position is not None and status.admitted_until is not None
            token = self._tokens.issue(account.id, show.id, status.position, status.admitted_until)
        place_token = self.polls.issue(room, show.id, account.id, view.position or 0, view.cursor)
        return Place(show.id, status, token, show.sale_opens_at,
                     pseudonym(room.public_salt, account.id), place_token)  # fmt: skip

    async def check(self, account: Account, show_id: str, token: str | None) -> None:
        """The AdmissionGate: while the room is open, a hold needs a valid token.
        Every hold asks, so the room's settings come from this process's cache:
        a change made elsewhere is in force here within BOXOFFICE_LOCAL_CACHE_SECONDS."""
        room = await self.local_room(show_id)
        if room is None or not room.is_open(self._clock.now()):
            return
        self._tokens.verify(token, account.id, show_id, self._clock.now())

    async def local_room(self, show_id: str) -> WaitingRoom | None:
        """The room's settings as this process saw them at most a second ago."""
        cached = self._local.get(show_id, "room")  # (room or None,); None on a miss
        if cached is None:
            cached = (await self.room(show_id),)
            self._local.put(show_id, "room", cached)
        return cached[0]  # type: ignore[no-any-return]

    async def _load_line(self, show_id: str) -> LineSnapshot:
        async with store_errors_as_busy():
            state = await self._store.state(show_id)
        async with self._uow() as uow:
            show = await _show(uow, show_id)
        return LineSnapshot(state.cursor, state.drawn, show.sale_opens_at)

    async def finished(self, account_id: str, show_id: str) -> None:
        """A buyer paid: with max_active, their place among active buyers frees up.
        Best effort: the order is already safe, so a store outage is only logged.
        Every paid order asks, so the room's settings come from this process's
        cache, as for `check`."""
        room = await self.local_room(show_id)
        if room is None or room.max_active is None:
            return
        try:
            await self._store.finish(show_id, account_id)
        except STORE_FAILURES:
            log.warning("queue store unreachable; buyer %s not marked finished", account_id)

    async def lottery(self, show_id: str) -> tuple[WaitingRoom, int]:
        """The room (its commitment always public, its seed once drawn) and how many took part."""
        room = await self.room(show_id)
        if room is None:
            raise NotFound("This show has no waiting room.")
        if room.drawn_at is None:
            return room, 0
        async with self._uow() as uow:
            entrants = await uow.rooms.drawn_entrants(show_id)
        return room, len(entrants or [])

    async def drawn_entrants(self, show_id: str) -> list[str]:
        """The published pseudonymous ids, in drawn order."""
        async with self._uow() as uow:
            entrants = await uow.rooms.drawn_entrants(show_id)
        if entrants is None:
            raise NotFound("The lottery of this show has not been drawn yet.")
        return entrants

    async def lines(self) -> list[tuple[WaitingRoom, AdmissionState]]:
        """Each enabled room with the state of its line (for monitoring)."""
        async with self._uow() as uow:
            rooms = await uow.rooms.enabled()
        async with store_errors_as_busy():
            return [(room, await self._store.state(room.show_id)) for room in rooms]

    async def line(self, show_id: str) -> AdmissionState | None:
        """The line of a show's room (for the organiser's live view), or None without a room."""
        room = await self.room(show_id)
        if room is None or not room.enabled:
            return None
        async with store_errors_as_busy():
            return await self._store.state(show_id)

    # -- the admitter (one at a time: see workers; safe if two race) -----------

    async def admit_all(self) -> int:
        async with self._uow() as uow:
            rooms = await uow.rooms.enabled()
        total = 0
        for room in rooms:
            total += await self.admit(room.show_id)
        return total

    async def admit(self, show_id: str) -> int:
        """Draw the lottery when the sale opens, then move the cursor at the room's rate."""
        async with self._uow() as uow:
            show = await _show(uow, show_id)
            room = await uow.rooms.get(show_id)
        now = self._clock.now()
        if room is None or not room.enabled or show.sale_status(now) is not SaleStatus.ON_SALE:
            return 0
        state = await self._store.state(show_id)
        if not state.drawn:
            await self._draw(room, now)
            state = await self._store.state(show_id)
        active = 0
        if room.max_active is not None:
            active = await self._store.active(show_id, now - room.window)
        due, carry = admissions_due(
            room, last_admit_at=state.last_admit_at, now=now, carry=state.carry, active=active
        )
        moved = await self._store.advance(show_id, state.cursor, due, now, carry)
        if moved is not None and moved > state.cursor:
            self.polls.changed(show_id)
        await self._tell_admitted(show_id, moved or state.cursor, now)
        return 0 if moved is None else moved - state.cursor

    async def _tell_admitted(self, show_id: str, cursor: int, now: datetime) -> None:
        """Mail "your turn" to the fans admitted since the last round. Crash-safe:
        the mark moves only after the mails are committed, and a range mailed
        twice is enqueued once (the dedupe key is per show and account)."""
        mailed = await self._store.mailed(show_id)
        if cursor <= mailed:
            return
        upto = min(cursor, mailed + YOUR_TURN_BATCH)
        accounts = await self._store.admitted_between(show_id, mailed, upto)
        async with self._uow(write=True) as uow:
            await uow.outbox.add([
                outbox.message(
                    kind=outbox.EMAIL_YOUR_TURN, account_id=account_id, now=now,
                    payload={"show_id": show_id}, dedupe_key=f"your-turn:{show_id}:{account_id}",
                )  # fmt: skip
                for account_id in accounts
            ])
            await uow.commit()
        await self._store.set_mailed(show_id, upto)

    async def _draw(self, room: WaitingRoom, now: datetime) -> None:
        """Order the early entrants by the published rule (domain.draw_order) and
        publish their pseudonymous ids with the seed."""
        await self._store.freeze(room.show_id)
        entrants = await self._store.early_entrants(room.show_id)
        by_id = {pseudonym(room.public_salt, account_id): account_id for account_id in entrants}
        ordered = draw_order(room.seed, room.beacon, by_id)
        with contextlib.suppress(IntegrityError):  # another admitter published first: theirs stands
            async with self._uow(write=True) as uow:  # published first: a draw is never unpublished
                await uow.rooms.publish_draw(room.show_id, ordered)
                await uow.commit()
        async with self._uow() as uow:
            ordered = await uow.rooms.drawn_entrants(room.show_id) or []
        await self._store.place_early(room.show_id, [by_id[p] for p in ordered])
        async with self._uow(write=True) as uow:
            await uow.rooms.mark_drawn(room.show_id, now)
            await uow.commit()
        self.polls.changed(room.show_id)
        await self._cache.delete(f"room:{room.show_id}")

    async def _open_room(self, show: Show) -> WaitingRoom:
        room = await self.room(show.id)
        now = self._clock.now()
        if room is None or not room.enabled:
            raise QueueNotOpen("This show has no waiting room: buy directly.")
        if now < room.opens_at:
            raise QueueNotOpen(f"The waiting room opens at {room.opens_at.isoformat()}.")
        if show.sale_status(now) is SaleStatus.CLOSED:
            raise SaleNotOpen("The sale for this show has closed.")
        return room


async def _show(uow, show_id: str) -> Show:  # type: ignore[no-untyped-def]
    show = await uow.shows.get(show_id)
    if show is None:
        raise NotFound(f"Show {show_id} does not exist.")
    return show


def _beacon(existing: WaitingRoom | None, beacon: str | None, sale_open: bool) -> str | None:
    """A beacon is set before the sale opens (the draw) and then never changes."""
    if sale_open or (existing is not None and beacon is None):
        return existing.beacon if existing else None
    return beacon


def _room_to_json(room: WaitingRoom | None) -> bytes:
    if room is None:
        return b"null"
    return json.dumps({
        "show_id": room.show_id, "enabled": room.enabled, "opens_at": room.opens_at.isoformat(),
        "admit_per_minute": room.admit_per_minute, "max_active": room.max_active,
        "window_minutes": room.window_minutes, "seed": room.seed, "salt": room.salt,
        "beacon": room.beacon,
        "drawn_at": room.drawn_at.isoformat() if room.drawn_at else None,
    }).encode()  # fmt: skip


def _room_from_json(raw: bytes) -> WaitingRoom | None:
    d = json.loads(raw)
    if d is None:
        return None
    d["opens_at"] = datetime.fromisoformat(d["opens_at"])
    d["drawn_at"] = datetime.fromisoformat(d["drawn_at"]) if d["drawn_at"] else None
    return WaitingRoom(**d)


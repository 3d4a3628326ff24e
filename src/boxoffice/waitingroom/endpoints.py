"""/api/v1/shows/{id}/queue (fans) and /api/v1/admin/shows/{id}/waiting-room (organisers)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from boxoffice.waitingroom.polls import set_place_cookie
from boxoffice.waitingroom.schemas import LotteryOut, PlaceOut, RoomIn, RoomOut
from boxoffice.waitingroom.service import Place
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser, queue_limits

router = APIRouter(prefix="/api/v1", tags=["waiting room"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.post("/shows/{show_id}/queue", response_model=PlaceOut)
async def join_queue(
    show_id: str, request: Request, response: Response, account: CurrentAccount,
    container: ContainerDep,
) -> PlaceOut:  # fmt: skip
    await queue_limits(container, account.id, request)
    show = await container.tickets.show(show_id)
    await container.presales.check(account, show_id)  # in a presale, only fans with a code
    return _with_place_cookie(response, container, await container.waiting_room.join(account, show))


@router.get("/shows/{show_id}/queue", response_model=PlaceOut)
async def queue_place(
    show_id: str, request: Request, response: Response, account: CurrentAccount,
    container: ContainerDep,
) -> PlaceOut:  # fmt: skip
    """Poll every few seconds: position, people ahead, wait, and the token once admitted.
    With the `place_token` of the last answer in X-Queue-Token (or its cookie), a
    fan far from the front is answered without the session (waitingroom/polls.py)."""
    await queue_limits(container, account.id, request)
    show = await container.tickets.show(show_id)
    return _with_place_cookie(response, container, await container.waiting_room.place(account, show))


def _with_place_cookie(response: Response, container: ContainerDep, place: Place) -> PlaceOut:
    if place.place_token:
        set_place_cookie(response, container.settings.cookie_secure, place.show_id, place.place_token)
    return PlaceOut.of(place)


@router.get("/shows/{show_id}/queue/lottery", response_model=LotteryOut)
async def lottery(show_id: str, container: ContainerDep) -> LotteryOut:
    """The commitment from the start; the seed, beacon and entrants once drawn (README: how to check)."""
    room, entrants = await container.waiting_room.lottery(show_id)
    return LotteryOut.of(room, entrants)


@router.get("/shows/{show_id}/queue/lottery/entrants", response_class=PlainTextResponse)
async def lottery_entrants(show_id: str, container: ContainerDep) -> PlainTextResponse:
    """The entrants' pseudonymous ids in drawn order (position 1 first), one per line."""
    entrants = await container.waiting_room.drawn_entrants(show_id)
    return PlainTextResponse("".join(f"{e}\n" for e in entrants))


@admin.put("/shows/{show_id}/waiting-room", response_model=RoomOut)
async def configure(
    show_id: str, body: RoomIn, _: CurrentOrganiser, container: ContainerDep
) -> RoomOut:
    return RoomOut.of(await container.waiting_room.configure(show_id, body.settings()))


@admin.get("/shows/{show_id}/waiting-room", response_model=RoomOut)
async def get_room(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> RoomOut:
    room, _entrants = await container.waiting_room.lottery(show_id)
    return RoomOut.of(room)

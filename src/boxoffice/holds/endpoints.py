"""/api/v1/holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from boxoffice.holds.domain import Hold
from boxoffice.holds.schemas import HoldIn, HoldOut, LiveHoldOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, IdempotencyKey, hold_limits

router = APIRouter(prefix="/api/v1", tags=["holds"])

AdmissionToken = Annotated[
    str | None,
    Header(alias="X-Admission-Token", max_length=2000, description="From the waiting room."),
]


async def _out(container: ContainerDep, hold: Hold) -> HoldOut:
    seats = await container.inventory.seats(hold.seat_ids) if hold.seat_ids else {}
    return HoldOut.of(hold, container.clock.now(), seats)


@router.post("/holds", status_code=201, response_model=HoldOut)
async def create_hold(
    body: HoldIn,
    request: Request,
    account: CurrentAccount,
    container: ContainerDep,
    idempotency_key: IdempotencyKey = None,
    admission_token: AdmissionToken = None,
) -> Response:
    hold = await container.holds.create(
        account, body.request(), idempotency_key=idempotency_key, admission_token=admission_token,
        before_database=hold_limits(container, account.id, request),
    )  # fmt: skip
    # The hot path: serialised once here rather than validated again against
    # response_model (which still documents the shape in OpenAPI).
    out = await _out(container, hold)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


@router.get("/me/holds", response_model=list[LiveHoldOut])
async def my_live_holds(
    show_id: Annotated[str, Query(min_length=1, max_length=64)],
    account: CurrentAccount,
    container: ContainerDep,
) -> list[LiveHoldOut]:
    """The buyer's live holds for a show (served from the session cache)."""
    now = container.clock.now()
    return [
        LiveHoldOut(hold_id=hold_id, expires_at=at, seconds_left=int((at - now).total_seconds()))
        for hold_id, at in await container.holds.live_holds(account, show_id)
    ]


@router.get("/holds/{hold_id}", response_model=HoldOut)
async def get_hold(hold_id: str, account: CurrentAccount, container: ContainerDep) -> HoldOut:
    return await _out(container, await container.holds.get(account, hold_id))


@router.delete("/holds/{hold_id}", response_model=HoldOut)
async def release_hold(hold_id: str, account: CurrentAccount, container: ContainerDep) -> HoldOut:
    return await _out(container, await container.holds.release(account, hold_id))

"""/api/v1/holds.

`POST /api/v1/holds` with a bearer token is the hot path of a sale: the
fast-path layer (web/fastpath.py) answers it with `direct_holds` below,
without FastAPI's routing and dependency resolution, through the same
`answer_hold` the route uses. The route serves the rest (session cookies
with their CSRF check, and requests the fast path hands over to get
FastAPI's precise validation errors) and documents the endpoint.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.types import Scope

from boxoffice.accounts.domain import Account
from boxoffice.bootstrap import Container
from boxoffice.holds.domain import Hold
from boxoffice.holds.schemas import HoldIn, HoldOut, LiveHoldOut
from boxoffice.web.deps import (
    ContainerDep, CurrentAccount, IdempotencyKey, answer_directly, client_ip, hold_limits,
)
from boxoffice.web.fastpath import DirectHold

router = APIRouter(prefix="/api/v1", tags=["holds"])

AdmissionToken = Annotated[
    str | None,
    Header(alias="X-Admission-Token", max_length=2000, description="From the waiting room."),
]


async def _out(container: Container, hold: Hold) -> HoldOut:
    # The writer's labels when it knew them (no read-back); a replay reads them.
    seats = await container.inventory.seats(hold.seat_ids) if hold.seat_ids and not hold.seat_labels else {}
    return HoldOut.of(hold, container.clock.now(), seats)


async def answer_hold(
    container: Container, account: Account, body: HoldIn, idempotency_key: str | None,
    admission_token: str | None, ip: str,
) -> Response:  # fmt: skip
    """Create the hold and answer 201 with it (serialised once, not validated
    again against the route's response_model, which documents the shape)."""
    hold = await container.holds.create(
        account, body.request(), idempotency_key=idempotency_key, admission_token=admission_token,
        before_database=hold_limits(container, account.id, ip),
    )  # fmt: skip
    out = await _out(container, hold)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


def direct_holds(container: Container) -> DirectHold:
    """`POST /api/v1/holds` for a bearer token, outside FastAPI: the same
    authentication, hold and error answers as the route."""

    async def create(
        scope: Scope, token: str, body: HoldIn, idempotency_key: str | None, admission_token: str | None
    ) -> Response:  # fmt: skip
        ip = scope["client"][0] if scope.get("client") else "unknown"
        return await answer_directly(
            container, scope, token,
            lambda account: answer_hold(container, account, body, idempotency_key, admission_token, ip),
        )  # fmt: skip

    return create


@router.post("/holds", status_code=201, response_model=HoldOut)
async def create_hold(
    body: HoldIn,
    request: Request,
    account: CurrentAccount,
    container: ContainerDep,
    idempotency_key: IdempotencyKey = None,
    admission_token: AdmissionToken = None,
) -> Response:
    return await answer_hold(container, account, body, idempotency_key, admission_token, client_ip(request))


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

"""The ticket's live code (fans), check-in and the offline export (organisers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.checkin.schemas import LiveCodeOut
from boxoffice.orders.qr import qr_svg
from boxoffice.orders.schemas import CheckInIn, TicketOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser

router = APIRouter(prefix="/api/v1", tags=["orders"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.get("/tickets/{code}/live", response_model=LiveCodeOut)
async def live_code(code: str, account: CurrentAccount, container: ContainerDep) -> LiveCodeOut:
    """What the ticket's QR says right now (it rotates every 30 s when the show uses rotating codes)."""
    live = await container.checkin.live_code(await container.orders.ticket(account, code))
    return LiveCodeOut(payload=live.payload, rotating=live.rotating, valid_for_seconds=live.valid_for)


@router.get("/tickets/{code}/qr.svg", response_class=Response)
async def ticket_qr(code: str, account: CurrentAccount, container: ContainerDep) -> Response:
    live = await container.checkin.live_code(await container.orders.ticket(account, code))
    return Response(qr_svg(live.payload), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@admin.post("/checkin", response_model=TicketOut)
async def check_in(body: CheckInIn, _: CurrentOrganiser, container: ContainerDep) -> TicketOut:
    """Takes the static code, or the rotating `BX1.<code>.<otp>` when the show rotates codes."""
    return TicketOut.of(await container.checkin.check_in(body.code))


@admin.get("/shows/{show_id}/checkin-export")
async def export(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> dict[str, Any]:
    """Every valid ticket's secret, for gates that check in offline."""
    return await container.checkin.export(show_id)

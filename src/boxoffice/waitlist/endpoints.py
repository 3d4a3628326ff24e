"""/api/v1/shows/{id}/waitlist: join, see your place, leave; the organiser's figures."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.waitlist.schemas import EntryOut, JoinIn, ListStatsOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser

router = APIRouter(prefix="/api/v1", tags=["after the sale"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.post("/shows/{show_id}/waitlist", status_code=201, response_model=EntryOut)
async def join(show_id: str, body: JoinIn, account: CurrentAccount, container: ContainerDep) -> EntryOut:
    """Join the waiting list of a sold-out section: one place per account and show."""
    entry, position = await container.waitlist.join(account, show_id, body.section_id, body.quantity)
    return EntryOut.of(entry, position)


@router.get("/shows/{show_id}/waitlist", response_model=EntryOut)
async def place(show_id: str, account: CurrentAccount, container: ContainerDep) -> EntryOut:
    entry, position = await container.waitlist.place(account, show_id)
    return EntryOut.of(entry, position)


@router.delete("/shows/{show_id}/waitlist", status_code=204)
async def leave(show_id: str, account: CurrentAccount, container: ContainerDep) -> Response:
    await container.waitlist.leave(account, show_id)
    return Response(status_code=204)


@admin.get("/shows/{show_id}/waitlist", response_model=list[ListStatsOut])
async def figures(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> list[ListStatsOut]:
    """Per section: how many wait, offers out, bought, lapsed, skipped."""
    return [ListStatsOut.of(s) for s in await container.waitlist.stats(show_id)]

"""/api/v1/shows (public) and /api/v1/admin/shows (organisers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.inventory.schemas import (
    SectionIn,
    SectionOut,
    SectionPatch,
    SectionStatsOut,
    SeatMapOut,
    SeatOut,
    ShowAvailabilityOut,
    ShowIn,
    ShowOut,
    ShowPatch,
    StatsOut,
    AvailabilityOut,
)
from boxoffice.web.deps import ContainerDep, CurrentOrganiser

router = APIRouter(prefix="/api/v1", tags=["shows"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.get("/shows", response_model=list[ShowOut])
async def list_shows(container: ContainerDep) -> list[ShowOut]:
    now = container.clock.now()
    return [ShowOut.of(show, now) for show in await container.inventory.list_shows()]


@router.get("/shows/{show_id}", response_model=ShowOut)
async def get_show(show_id: str, container: ContainerDep) -> ShowOut:
    return ShowOut.of(await container.tickets.show(show_id), container.clock.now())


@router.get("/shows/{show_id}/availability", response_model=ShowAvailabilityOut)
async def availability(show_id: str, container: ContainerDep) -> Response:
    """Served from this process's ready answer or the ticket cache; at most a
    second or two behind the database."""
    body = container.local.get(show_id, "availability")
    if body is None:
        show = await container.tickets.show(show_id)
        snapshot = await container.tickets.availability(show_id)
        body = ShowAvailabilityOut(
            show_id=show_id,
            sale_status=show.sale_status(container.clock.now()).value,
            as_of=snapshot.as_of,
            sections=[AvailabilityOut.of(a) for a in snapshot.sections],
        ).model_dump_json().encode()
        container.local.put(show_id, "availability", body, snapshot.exact_until)
    return Response(body, media_type="application/json")


@router.get("/shows/{show_id}/sections/{section_id}/seats", response_model=SeatMapOut)
async def seat_map(show_id: str, section_id: str, container: ContainerDep) -> SeatMapOut:
    section, seats = await container.tickets.seat_map(show_id, section_id)
    return SeatMapOut(
        section_id=section.id, name=section.name, seats=[SeatOut.of(s) for s in seats]
    )


@admin.post("/shows", status_code=201, response_model=ShowOut)
async def create_show(body: ShowIn, _: CurrentOrganiser, container: ContainerDep) -> ShowOut:
    show = await container.inventory.create_show(body.spec())
    return ShowOut.of(show, container.clock.now())


@admin.patch("/shows/{show_id}", response_model=ShowOut)
async def update_show(
    show_id: str, body: ShowPatch, _: CurrentOrganiser, container: ContainerDep
) -> ShowOut:
    show = await container.inventory.update_show(show_id, body.model_dump(exclude_none=True))
    return ShowOut.of(show, container.clock.now())


@admin.get("/shows/{show_id}/export", response_model=ShowIn)
async def export_show(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> ShowIn:
    return ShowIn.of(await container.inventory.export_show(show_id))


@admin.post("/shows/{show_id}/sections", status_code=201, response_model=SectionOut)
async def add_section(
    show_id: str, body: SectionIn, _: CurrentOrganiser, container: ContainerDep
) -> SectionOut:
    return SectionOut.of(await container.inventory.add_section(show_id, body.spec()))


@admin.patch("/shows/{show_id}/sections/{section_id}", response_model=SectionOut)
async def update_section(
    show_id: str,
    section_id: str,
    body: SectionPatch,
    _: CurrentOrganiser,
    container: ContainerDep,
) -> SectionOut:
    changes = body.model_dump(exclude_none=True)
    return SectionOut.of(await container.inventory.update_section(show_id, section_id, changes))


@admin.get("/shows/{show_id}/stats", response_model=StatsOut)
async def stats(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> StatsOut:
    show = await container.inventory.show(show_id)
    sections = [SectionStatsOut.of(s) for s in await container.inventory.stats(show_id)]
    return StatsOut(
        show_id=show_id,
        currency=show.currency,
        as_of=container.clock.now(),
        sections=sections,
        sold=sum(s.sold for s in sections),
        held=sum(s.held for s in sections),
        available=sum(s.available for s in sections),
        revenue_cents=sum(s.revenue_cents for s in sections),
    )

"""/api/v1/admin/{orders,holds}/{id}/audit: what happened, in order."""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.audit.schemas import AuditEventOut
from boxoffice.web.deps import ContainerDep, CurrentOrganiser

admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@admin.get("/orders/{order_id}/audit", response_model=list[AuditEventOut])
async def order_trail(
    order_id: str, _: CurrentOrganiser, container: ContainerDep
) -> list[AuditEventOut]:
    return [AuditEventOut.of(e) for e in await container.audit.order(order_id)]


@admin.get("/holds/{hold_id}/audit", response_model=list[AuditEventOut])
async def hold_trail(
    hold_id: str, _: CurrentOrganiser, container: ContainerDep
) -> list[AuditEventOut]:
    return [AuditEventOut.of(e) for e in await container.audit.hold(hold_id)]

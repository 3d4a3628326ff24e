"""/api/v1/notifications: what happened to a fan's tickets."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.notifications.schemas import NotificationOut
from boxoffice.web.deps import ContainerDep, CurrentAccount

router = APIRouter(prefix="/api/v1/notifications", tags=["after the sale"])


@router.get("", response_model=list[NotificationOut])
async def list_notifications(account: CurrentAccount, container: ContainerDep) -> list[NotificationOut]:
    return [NotificationOut.of(n) for n in await container.notifications.of(account)]


@router.post("/{notification_id}/read", status_code=204)
async def read_one(notification_id: str, account: CurrentAccount, container: ContainerDep) -> Response:
    await container.notifications.mark_read(account, notification_id)
    return Response(status_code=204)


@router.post("/read", status_code=204)
async def read_all(account: CurrentAccount, container: ContainerDep) -> Response:
    await container.notifications.mark_read(account)
    return Response(status_code=204)

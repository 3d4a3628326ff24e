"""/api/v1/admin/webhooks: the organisers' endpoints and their deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Response

from boxoffice.web.deps import ContainerDep, CurrentOrganiser
from boxoffice.webhooks.schemas import DeliveryOut, EndpointIn, EndpointOut

admin = APIRouter(prefix="/api/v1/admin/webhooks", tags=["organiser"])


@admin.post("", status_code=201, response_model=EndpointOut)
async def register(body: EndpointIn, organiser: CurrentOrganiser, container: ContainerDep) -> EndpointOut:
    """Call this endpoint for these events, signed with the secret in the answer."""
    endpoint = await container.webhooks.register(organiser, body.url, list(body.events), body.description)
    return EndpointOut.of(endpoint)


@admin.get("", response_model=list[EndpointOut])
async def endpoints(_: CurrentOrganiser, container: ContainerDep) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in await container.webhooks.all()]


@admin.delete("/{endpoint_id}", status_code=204)
async def remove(endpoint_id: str, _: CurrentOrganiser, container: ContainerDep) -> Response:
    """Stop calling it; its deliveries stay visible."""
    await container.webhooks.remove(endpoint_id)
    return Response(status_code=204)


@admin.get("/{endpoint_id}/deliveries", response_model=list[DeliveryOut])
async def deliveries(endpoint_id: str, _: CurrentOrganiser, container: ContainerDep) -> list[DeliveryOut]:
    """The latest deliveries, newest first, with their status and last error."""
    return [DeliveryOut.of(m) for m in await container.webhooks.deliveries(endpoint_id)]

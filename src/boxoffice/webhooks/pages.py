"""/admin/webhooks: organisers add and remove endpoints and watch their deliveries."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.errors import DomainError
from boxoffice.pages.base import OrganiserPageDep
from boxoffice.webhooks.domain import EVENTS
from boxoffice.webhooks.schemas import EndpointIn

router = APIRouter(prefix="/admin/webhooks", include_in_schema=False)


async def _render(page: OrganiserPageDep, status: int = 200, **values: object) -> Response:
    endpoints = await page.container.webhooks.with_deliveries()
    return page.render("admin/webhooks.html", status=status, endpoints=endpoints, events=EVENTS, **values)


@router.get("")
async def webhooks(page: OrganiserPageDep) -> Response:
    return await _render(page, values={"events": list(EVENTS)})


@router.post("")
async def add(page: OrganiserPageDep) -> Response:
    form = await page.form()
    chosen = form.get("events", [])
    values = {"url": str(form.get("url", "")), "description": str(form.get("description", "")),
              "events": chosen if isinstance(chosen, list) else [chosen]}  # fmt: skip
    try:
        body = EndpointIn.model_validate(values)
        await page.container.webhooks.register(page.account, body.url, list(body.events), body.description)  # type: ignore[arg-type]
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors()})
        return await _render(page, status=422, problem="invalid_request", fields=fields, values=values)
    except DomainError as error:
        return await _render(page, status=422, problem=error.message, fields=[error.details.get("field")], values=values)
    return page.redirect("/admin/webhooks")


@router.post("/{endpoint_id}/remove")
async def remove(endpoint_id: str, page: OrganiserPageDep) -> Response:
    await page.form()
    await page.container.webhooks.remove(endpoint_id)
    return page.redirect("/admin/webhooks")

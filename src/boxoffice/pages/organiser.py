"""The organiser's pages: shows (create, edit, sections, waiting room), live sales, check-in."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.errors import CapacityBelowSold, DomainError
from boxoffice.inventory.domain import SectionKind, time_zones
from boxoffice.inventory.schemas import SectionIn
from boxoffice.pages.base import OrganiserPageDep, Page, message_for
from boxoffice.pages.organiser_forms import (
    NEEDS, SECTION_ROWS, TIMES, FormProblems, Reader, field_value, problems_of, room_in, row_label,
    said, show_in, show_patch,
)  # fmt: skip

router = APIRouter(prefix="/admin", include_in_schema=False)
SHOW_FIELDS = ("name", "venue", "starts_at", "sale_opens_at", "sale_closes_at", "per_account_limit", "currency",
               "timezone")  # fmt: skip
FORM_ERRORS = (FormProblems, ValidationError, DomainError)


@router.get("")
async def shows(page: OrganiserPageDep) -> Response:
    return page.render("admin/shows.html", shows=await page.container.inventory.list_shows(),
                       now=page.container.clock.now())  # fmt: skip


def _form(page: Page, status: int = 200, **values: Any) -> Response:
    return page.render("admin/show_form.html", status=status, zones=time_zones(), **values)


@router.get("/shows/new")
async def new_show(page: OrganiserPageDep) -> Response:
    values = {"currency": "BRL", "per_account_limit": "4", "timezone": "America/Sao_Paulo"}
    return _form(page, values=values, rows=SECTION_ROWS, editing=False, errors={})


@router.post("/shows/new")
async def create_show(page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        spec = show_in(form).spec()
        room = room_in(form)
        created = await page.container.inventory.create_show(spec)
        if room is not None:
            await page.container.waiting_room.configure(created.id, room.settings())
    except FORM_ERRORS as exc:
        return _form(page, 422, values=form, rows=SECTION_ROWS, editing=False, errors=problems_of(exc))
    return page.redirect(f"/admin/shows/{created.id}")


@router.get("/shows/{show_id}/edit")
async def edit_show(show_id: str, page: OrganiserPageDep) -> Response:
    found = await page.container.inventory.show(show_id)
    values = {k: getattr(found, k) for k in SHOW_FIELDS}
    for k in TIMES:
        values[k] = field_value(values[k], found.timezone)
    room = await page.container.waiting_room.room(show_id)
    if room is not None:
        values |= {"room-enabled": room.enabled, "room-admit_per_minute": room.admit_per_minute,
                   "room-max_active": room.max_active or "",
                   "room-opens_at": field_value(room.opens_at, found.timezone)}  # fmt: skip
    return _form(page, values=values, rows=0, editing=True, show=found, errors={})


@router.post("/shows/{show_id}/edit")
async def update_show(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        patch = show_patch(form)
        room = room_in(form)
        await page.container.inventory.update_show(show_id, patch.model_dump(exclude_none=True))
        if room is not None:
            await page.container.waiting_room.configure(show_id, room.settings())
    except FORM_ERRORS as exc:
        found = await page.container.inventory.show(show_id)
        return _form(page, 422, values=form, rows=0, editing=True, show=found, errors=problems_of(exc))
    return page.redirect(f"/admin/shows/{show_id}")


@router.post("/shows/{show_id}/poster")
async def upload_poster(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    upload = form.get("poster")
    data = await upload.read() if hasattr(upload, "read") else b""
    try:
        await page.container.inventory.set_poster(show_id, data)
    except DomainError as error:
        found = await page.container.inventory.show(show_id)
        values = {k: getattr(found, k) for k in SHOW_FIELDS} | {k: field_value(getattr(found, k), found.timezone)
                                                               for k in TIMES}  # fmt: skip
        return _form(page, 422, values=values, rows=0, editing=True, show=found,
                     errors={"poster": said(error)})  # fmt: skip
    return page.redirect(f"/admin/shows/{show_id}/edit?saved=poster")


# -- sections: names, prices, capacities (never below what is sold or held) ----


async def _sections_page(page: Page, show_id: str, status: int = 200, **values: Any) -> Response:
    found = await page.container.inventory.show(show_id)
    stats = {s.availability.section_id: s.availability for s in await page.container.inventory.stats(show_id)}
    return page.render("admin/sections.html", status=status, show=found, stats=stats,
                       errors=values.pop("errors", {}), **values)  # fmt: skip


@router.get("/shows/{show_id}/sections")
async def sections(show_id: str, page: OrganiserPageDep, saved: str = "") -> Response:
    return await _sections_page(page, show_id, saved=saved)


@router.post("/shows/{show_id}/sections/{section_id}")
async def update_section(show_id: str, section_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    found = await page.container.inventory.show(show_id)
    section = found.section(section_id)
    read = Reader(form)
    changes: dict[str, Any] = {"name": str(form.get("name", "")).strip(), "price_cents": read.cents("price")}
    if section.kind is SectionKind.GA:
        changes["capacity"] = read.integer("capacity", "capacity")
    try:
        read.done()
        if not changes["name"]:
            raise FormProblems({"name": NEEDS["name"]})
        await page.container.inventory.update_section(show_id, section_id, changes)
    except CapacityBelowSold as error:
        sold, held = error.details.get("sold", 0), error.details.get("held", 0)
        problem = {"capacity": page._("The capacity cannot go below what is sold or held right now: %(sold)d sold, "
                                      "%(held)d held, so at least %(least)d.") % {"sold": sold, "held": held,
                                                                                  "least": sold + held}}  # fmt: skip
        return await _sections_page(page, show_id, 422, errors={section_id: problem}, values={section_id: form})
    except FORM_ERRORS as exc:
        problems = {("price" if k.endswith("price") else k): v for k, v in problems_of(exc).items()}
        return await _sections_page(page, show_id, 422, errors={section_id: problems}, values={section_id: form})
    return page.redirect(f"/admin/shows/{show_id}/sections?saved={section_id}")


@router.post("/shows/{show_id}/sections")
async def add_section(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    read = Reader(form)
    kind = str(form.get("kind", "ga"))
    body: dict[str, Any] = {"name": str(form.get("name", "")).strip(), "kind": kind, "price_cents": read.cents("price")}
    if kind == "ga":
        body["capacity"] = read.integer("capacity", "capacity")
    else:
        rows, per_row = read.integer("rows", "rows") or 0, read.integer("seats", "seats") or 0
        body["rows"] = [{"label": row_label(r), "seats": per_row} for r in range(min(rows, 500))]
    try:
        read.done()
        spec = SectionIn.model_validate(body).spec()
        await page.container.inventory.add_section(show_id, spec)
    except ValidationError as exc:
        problems = {str(e["loc"][0]).replace("price_cents", "price"): NEEDS.get(
            str(e["loc"][0]).replace("price_cents", "price"), NEEDS["kind"]) for e in exc.errors()}  # fmt: skip
        return await _sections_page(page, show_id, 422, errors={"new": problems}, values={"new": form})
    except FORM_ERRORS as exc:
        return await _sections_page(page, show_id, 422, errors={"new": problems_of(exc)}, values={"new": form})
    return page.redirect(f"/admin/shows/{show_id}/sections?saved=new")


# -- live view -------------------------------------------------------------------


@router.get("/shows/{show_id}")
async def live(show_id: str, page: OrganiserPageDep, fragment: bool = False) -> Response:
    found = await page.container.inventory.show(show_id)
    stats = await page.container.inventory.stats(show_id)
    minutes = await page.container.orders.per_minute(show_id)
    return page.render(
        "admin/live_fragment.html" if fragment else "admin/live.html", show=found, stats=stats,
        minutes=minutes, busiest=max([n for _, n in minutes] + [1]), line=await _line(page, show_id),
        revenue=sum(s.revenue_cents for s in stats), as_of=datetime.now(UTC),
    )  # fmt: skip


async def _line(page: Page, show_id: str) -> dict[str, Any] | None:
    """The waiting room's figures: in line, admitted, admit rate, when the last fan now in line gets in."""
    try:
        room = await page.container.waiting_room.room(show_id)
        state = await page.container.waiting_room.line(show_id)
    except DomainError:
        return {"unavailable": True}
    if room is None or state is None:
        return None
    waiting = max(state.line_length - state.cursor, 0)
    minutes = math.ceil(waiting / room.admit_per_minute) if waiting else 0
    return {"waiting": waiting, "admitted": state.cursor, "rate": room.admit_per_minute, "drawn": state.drawn,
            "eta_minutes": minutes, "max_active": room.max_active}  # fmt: skip


@router.get("/checkin")
async def checkin_form(page: OrganiserPageDep) -> Response:
    return page.render("admin/checkin.html")


@router.post("/checkin")
async def checkin(page: OrganiserPageDep) -> Response:
    form = await page.form()
    code = str(form.get("code", "")).strip()
    try:
        ticket = await page.container.checkin.check_in(code)
    except DomainError as error:
        return page.render("admin/checkin.html", status=409 if error.code == "already_used" else 404,
                           error=message_for(error), code=code)  # fmt: skip
    return page.render("admin/checkin.html", ticket=ticket)


"""The organiser's pages: shows (create, edit, waiting room), live sales, check-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.errors import DomainError
from boxoffice.inventory.domain import is_time_zone, time_zones
from boxoffice.inventory.schemas import ShowIn, ShowPatch
from boxoffice.pages.base import OrganiserPageDep, message_for
from boxoffice.waitingroom.schemas import RoomIn

router = APIRouter(prefix="/admin", include_in_schema=False)
SECTION_ROWS = 4
SHOW_FIELDS = ("name", "venue", "starts_at", "sale_opens_at", "sale_closes_at", "per_account_limit", "currency",
               "timezone")  # fmt: skip
TIMES = ("starts_at", "sale_opens_at", "sale_closes_at")


def _zone(form: dict[str, Any]) -> str:
    zone = str(form.get("timezone") or "UTC").strip()
    return zone if is_time_zone(zone) else "UTC"


def _local(value: Any, zone: str) -> str:
    """A datetime-local field (no zone) read in the venue's zone, in ISO form for validation."""
    text = str(value or "").strip()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).isoformat() if len(text) == 16 else text
    except ValueError:
        return text


def _field_value(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def _cents(value: Any) -> int:
    return round(float(str(value).replace(",", ".")) * 100)


def _show_in(form: dict[str, Any]) -> ShowIn:
    sections = []
    for i in range(SECTION_ROWS):
        name = str(form.get(f"section-{i}-name", "")).strip()
        if not name:
            continue
        kind = str(form.get(f"section-{i}-kind", "ga"))
        section: dict[str, Any] = {"name": name, "kind": kind, "price_cents": _cents(form.get(f"section-{i}-price", 0))}
        if kind == "ga":
            section["capacity"] = int(form.get(f"section-{i}-capacity") or 0)
        else:
            rows, per_row = int(form.get(f"section-{i}-rows") or 0), int(form.get(f"section-{i}-seats") or 0)
            section["rows"] = [{"label": _row_label(r), "seats": per_row} for r in range(rows)]
        sections.append(section)
    zone = _zone(form)
    return ShowIn.model_validate({
        **{k: form.get(k) for k in ("name", "venue", "currency", "timezone")},
        **{k: _local(form.get(k), zone) for k in TIMES},
        "per_account_limit": int(form.get("per_account_limit") or 0), "sections": sections,
    })  # fmt: skip


def _row_label(index: int) -> str:
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(65 + rest) + label
    return label


def _room_in(form: dict[str, Any]) -> RoomIn | None:
    if not form.get("room-enabled") and not form.get("room-opens_at"):
        return None
    max_active = form.get("room-max_active")
    return RoomIn.model_validate({
        "enabled": bool(form.get("room-enabled")), "opens_at": _local(form.get("room-opens_at"), _zone(form)),
        "admit_per_minute": int(form.get("room-admit_per_minute") or 0),
        "max_active": int(max_active) if max_active else None,
    })  # fmt: skip


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return sorted({".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors()})
    if isinstance(exc, DomainError):
        return [message_for(exc)]
    return ["Some fields are not right: check them and try again."]


@router.get("")
async def shows(page: OrganiserPageDep) -> Response:
    return page.render("admin/shows.html", shows=await page.container.inventory.list_shows())


@router.get("/shows/new")
async def new_show(page: OrganiserPageDep) -> Response:
    return page.render("admin/show_form.html", values={"currency": "BRL", "per_account_limit": "4",
                       "timezone": "America/Sao_Paulo"}, rows=SECTION_ROWS, editing=False, zones=time_zones())  # fmt: skip


@router.post("/shows/new")
async def create_show(page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        created = await page.container.inventory.create_show(_show_in(form).spec())
        room = _room_in(form)
        if room is not None:
            await page.container.waiting_room.configure(created.id, room.settings())
    except (ValidationError, DomainError, ValueError) as exc:
        return page.render("admin/show_form.html", status=422, values=form, rows=SECTION_ROWS,
                           editing=False, problems=_problems(exc), zones=time_zones())  # fmt: skip
    return page.redirect(f"/admin/shows/{created.id}")


@router.get("/shows/{show_id}/edit")
async def edit_show(show_id: str, page: OrganiserPageDep) -> Response:
    found = await page.container.inventory.show(show_id)
    values = {k: getattr(found, k) for k in SHOW_FIELDS}
    for k in TIMES:
        values[k] = _field_value(values[k], found.timezone)
    room = await page.container.waiting_room.room(show_id)
    if room is not None:
        values |= {"room-enabled": room.enabled, "room-admit_per_minute": room.admit_per_minute,
                   "room-max_active": room.max_active or "",
                   "room-opens_at": _field_value(room.opens_at, found.timezone)}  # fmt: skip
    return page.render("admin/show_form.html", values=values, rows=0, editing=True, show=found, zones=time_zones())


@router.post("/shows/{show_id}/edit")
async def update_show(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        zone = _zone(form)
        patch = ShowPatch.model_validate({
            **{k: form.get(k) for k in ("name", "venue", "currency", "timezone")},
            **{k: _local(form.get(k), zone) for k in TIMES},
            "per_account_limit": int(form.get("per_account_limit") or 0),
        })  # fmt: skip
        await page.container.inventory.update_show(show_id, patch.model_dump(exclude_none=True))
        room = _room_in(form)
        if room is not None:
            await page.container.waiting_room.configure(show_id, room.settings())
    except (ValidationError, DomainError, ValueError) as exc:
        found = await page.container.inventory.show(show_id)
        return page.render("admin/show_form.html", status=422, values=form, rows=0, editing=True,
                           show=found, problems=_problems(exc), zones=time_zones())  # fmt: skip
    return page.redirect(f"/admin/shows/{show_id}")


@router.get("/shows/{show_id}")
async def live(show_id: str, page: OrganiserPageDep, fragment: bool = False) -> Response:
    found = await page.container.inventory.show(show_id)
    stats = await page.container.inventory.stats(show_id)
    minutes = await page.container.orders.per_minute(show_id)
    return page.render(
        "admin/live_fragment.html" if fragment else "admin/live.html", show=found, stats=stats,
        minutes=minutes, busiest=max([n for _, n in minutes] + [1]),
        revenue=sum(s.revenue_cents for s in stats), as_of=datetime.now(UTC),
    )  # fmt: skip


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

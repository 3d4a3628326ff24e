"""Reading the organiser's forms: local venue times, prices in currency units,
and every problem as a plain sentence next to the field it is about (never a
validator's raw text such as "sale_closes_at: Input should be a valid datetime")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from boxoffice.errors import DomainError
from boxoffice.inventory.domain import is_time_zone
from boxoffice.inventory.schemas import ShowIn, ShowPatch
from boxoffice.pages.base import message_for
from boxoffice.waitingroom.schemas import RoomIn

SECTION_ROWS = 4
TIMES = ("starts_at", "sale_opens_at", "sale_closes_at")
GENERAL = "form"  # a problem that is about no single field

# What each field needs, said plainly (msgids, translated in locales/).
NEEDS = {
    "name": "Give it a name.",
    "venue": "Give the venue's name.",
    "timezone": "Pick a time zone from the list, such as America/Sao_Paulo.",
    "starts_at": "Enter the date and time the show starts.",
    "sale_opens_at": "Enter the date and time the sale opens.",
    "sale_closes_at": "Enter the date and time the sale closes.",
    "per_account_limit": "Enter a number of tickets from 1 to 100.",
    "currency": "Use a three-letter currency code such as BRL.",
    "price": "Enter a price of 0 or more, such as 150.00.",
    "capacity": "Enter a capacity from 1 to 200,000.",
    "rows": "Enter a number of rows from 1 to 500.",
    "seats": "Enter a number of seats per row from 1 to 500.",
    "kind": "Choose general admission or numbered seats.",
    "room-opens_at": "Enter the date and time the waiting room opens (no later than the sale).",
    "room-admit_per_minute": "Enter how many fans to let in per minute (1 or more).",
    "room-max_active": "Leave empty, or enter 1 or more.",
}
SCHEMA_FIELD = {"price_cents": "price", "opens_at": "room-opens_at", "admit_per_minute": "room-admit_per_minute",
                "max_active": "room-max_active"}  # fmt: skip


class FormProblems(Exception):
    """A form that cannot be saved: field name -> what to fix (a msgid)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def zone_of(form: dict[str, Any]) -> str:
    zone = str(form.get("timezone") or "UTC").strip()
    return zone if is_time_zone(zone) else "UTC"


def local(value: Any, zone: str) -> str:
    """A datetime-local field (no zone) read in the venue's zone, in ISO form for validation."""
    text = str(value or "").strip()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).isoformat() if len(text) == 16 else text
    except ValueError:
        return text


def field_value(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class Reader:
    """Reads numbers out of a form, collecting a problem per field instead of failing at the first."""

    def __init__(self, form: dict[str, Any]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def integer(self, key: str, need: str, optional: bool = False) -> int | None:
        text = str(self.form.get(key) or "").strip()
        if not text and optional:
            return None
        try:
            return int(text)
        except ValueError:
            self.errors[key] = NEEDS[need]
            return None

    def cents(self, key: str) -> int | None:
        text = str(self.form.get(key) or "").strip().replace(" ", "")
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")  # 1.234,50
        try:
            return round(float(text.replace(",", ".")) * 100)
        except ValueError:
            self.errors[key] = NEEDS["price"]
            return None

    def done(self) -> None:
        if self.errors:
            raise FormProblems(self.errors)


def show_in(form: dict[str, Any]) -> ShowIn:
    read = Reader(form)
    sections, where = [], []
    for i in range(SECTION_ROWS):
        name = str(form.get(f"section-{i}-name", "")).strip()
        if not name:
            continue
        kind = str(form.get(f"section-{i}-kind", "ga"))
        section: dict[str, Any] = {"name": name, "kind": kind, "price_cents": read.cents(f"section-{i}-price")}
        if kind == "ga":
            section["capacity"] = read.integer(f"section-{i}-capacity", "capacity")
        else:
            rows = read.integer(f"section-{i}-rows", "rows") or 0
            per_row = read.integer(f"section-{i}-seats", "seats") or 0
            section["rows"] = [{"label": row_label(r), "seats": per_row} for r in range(min(rows, 500))]
            if rows < 1:
                read.errors[f"section-{i}-rows"] = NEEDS["rows"]
        sections.append(section)
        where.append(i)
    limit = read.integer("per_account_limit", "per_account_limit")
    read.done()
    zone = zone_of(form)
    try:
        return ShowIn.model_validate({
            **{k: form.get(k) for k in ("name", "venue", "currency", "timezone")},
            **{k: local(form.get(k), zone) for k in TIMES}, "per_account_limit": limit, "sections": sections,
        })  # fmt: skip
    except ValidationError as exc:
        raise FormProblems(_from_validation(exc, where)) from exc


def show_patch(form: dict[str, Any]) -> ShowPatch:
    read = Reader(form)
    limit = read.integer("per_account_limit", "per_account_limit")
    read.done()
    zone = zone_of(form)
    try:
        return ShowPatch.model_validate({
            **{k: form.get(k) for k in ("name", "venue", "currency", "timezone")},
            **{k: local(form.get(k), zone) for k in TIMES}, "per_account_limit": limit,
        })  # fmt: skip
    except ValidationError as exc:
        raise FormProblems(_from_validation(exc, [])) from exc


def room_in(form: dict[str, Any]) -> RoomIn | None:
    if not form.get("room-enabled") and not form.get("room-opens_at"):
        return None
    read = Reader(form)
    per_minute = read.integer("room-admit_per_minute", "room-admit_per_minute")
    max_active = read.integer("room-max_active", "room-max_active", optional=True)
    read.done()
    try:
        return RoomIn.model_validate({
            "enabled": bool(form.get("room-enabled")), "opens_at": local(form.get("room-opens_at"), zone_of(form)),
            "admit_per_minute": per_minute, "max_active": max_active,
        })  # fmt: skip
    except ValidationError as exc:
        raise FormProblems(_from_validation(exc, [])) from exc


def _from_validation(exc: ValidationError, where: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        if loc and loc[0] == "sections" and len(loc) >= 3 and loc[1].isdigit() and int(loc[1]) < len(where):
            name = SCHEMA_FIELD.get(loc[2], loc[2])
            errors[f"section-{where[int(loc[1])]}-{name}"] = NEEDS.get(name, NEEDS["kind"])
        elif loc:
            name = SCHEMA_FIELD.get(loc[0], loc[0])
            errors[name] = NEEDS.get(name, "Check this field.")
    return errors or {GENERAL: "Some fields are not right: check them and try again."}


def problems_of(exc: Exception) -> dict[str, str]:
    """Any refusal of an organiser form as field -> message."""
    if isinstance(exc, FormProblems):
        return exc.errors
    if isinstance(exc, DomainError):
        field = str(exc.details.get("field") or "")
        name = SCHEMA_FIELD.get(field, field)
        return {name if name in NEEDS else GENERAL: said(exc)}
    return {GENERAL: "Some fields are not right: check them and try again."}


def said(error: DomainError) -> str:
    """A refusal's own sentence ("The sale must open before it closes.") rather
    than the generic one for its code: an organiser needs to know which rule."""
    return error.message if error.code == "invalid_request" else message_for(error)


def row_label(index: int) -> str:
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(65 + rest) + label
    return label

"""Pages for the presale and vouchers: the fan's presale page (register, see
the code, enter it) and the organiser's presale and voucher page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.errors import DomainError, NotFound
from boxoffice.pages.base import MESSAGES, FanPageDep, OrganiserPageDep, PageDep
from boxoffice.pages.organiser_forms import field_value, local
from boxoffice.presale.schemas import PresaleIn
from boxoffice.vouchers.schemas import VouchersIn

router = APIRouter(include_in_schema=False)
DONE = {"registered": "You are registered. If you are drawn, your code arrives by email and here.",
        "unlocked": "Your code worked: the presale is open to you.",
        "saved": "Saved.", "drawn": "The codes are drawn and mailed to the winners.",
        "created": "Vouchers created."}  # fmt: skip


def _error(code: str) -> str:
    return code if code in MESSAGES else ""


@router.get("/shows/{show_id}/presale")
async def presale_page(show_id: str, page: PageDep, error: str = "", done: str = "") -> Response:
    presale, show, registered = await page.container.presales.get(show_id)
    mine = await page.container.presales.mine(page.account, show_id) if page.account else None
    now = page.container.clock.now()
    return page.render(
        "presale.html", presale=presale, show=show, registered=registered, mine=mine,
        phase=presale.phase(now, show.sale_opens_at).value, error=_error(error), done=DONE.get(done, ""),
    )  # fmt: skip


@router.post("/shows/{show_id}/presale/register")
async def presale_register(show_id: str, page: FanPageDep) -> Response:
    await page.form()
    return await _go(page, f"/shows/{show_id}/presale", "registered",
                     page.container.presales.register(page.account, show_id))  # fmt: skip


@router.post("/shows/{show_id}/presale/code")
async def presale_code(show_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    return await _go(page, f"/shows/{show_id}/presale", "unlocked",
                     page.container.presales.redeem(page.account, show_id, str(form.get("code", ""))))  # fmt: skip


async def _go(page: Any, back: str, done: str, work: Any) -> Response:
    try:
        await work
    except DomainError as error:
        return page.redirect(f"{back}?error={error.code}")
    return page.redirect(f"{back}?done={done}")


# -- organisers -----------------------------------------------------------------


def _field(moment: datetime | None, zone: str) -> str:
    return field_value(moment, zone) if moment else ""


@router.get("/admin/shows/{show_id}/presale")
async def admin_presale(show_id: str, page: OrganiserPageDep, error: str = "", done: str = "") -> Response:
    show = await page.container.tickets.show(show_id)
    try:
        presale, _show, registered = await page.container.presales.get(show_id)
    except NotFound:
        presale, registered = None, 0
    _, keys = await page.container.presales.lottery(show_id) if presale else (None, [])
    zone = show.timezone
    fields = {name: _field(getattr(presale, name, None), zone)
              for name in ("registration_opens_at", "registration_closes_at", "general_sale_at")}  # fmt: skip
    return page.render(
        "admin/presale.html", show=show, presale=presale, registered=registered, fields=fields,
        entrants=len(keys), vouchers=await page.container.vouchers.list(show_id),
        error=_error(error), done=DONE.get(done, ""),
    )  # fmt: skip


@router.post("/admin/shows/{show_id}/presale")
async def admin_presale_save(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    zone = (await page.container.tickets.show(show_id)).timezone
    back = f"/admin/shows/{show_id}/presale"
    try:
        body = PresaleIn.model_validate({name: local(form.get(name), zone) for name in
                                         ("registration_opens_at", "registration_closes_at", "general_sale_at")})
    except ValidationError:
        return page.redirect(f"{back}?error=invalid_request")
    return await _go(page, back, "saved", page.container.presales.configure(
        show_id, body.registration_opens_at, body.registration_closes_at, body.general_sale_at))  # fmt: skip


@router.post("/admin/shows/{show_id}/presale/draw")
async def admin_presale_draw(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    back = f"/admin/shows/{show_id}/presale"
    try:
        codes = int(str(form.get("codes", "")))
    except ValueError:
        return page.redirect(f"{back}?error=invalid_request")
    return await _go(page, back, "drawn", page.container.presales.draw(show_id, codes))


@router.post("/admin/shows/{show_id}/vouchers")
async def admin_vouchers(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    zone = (await page.container.tickets.show(show_id)).timezone
    back = f"/admin/shows/{show_id}/presale"
    discount = str(form.get("discount", "")).strip()
    kind = str(form.get("kind", "discount"))
    body: dict[str, Any] = {
        "kind": kind, "count": form.get("count"), "max_uses": form.get("max_uses") or 1,
        "expires_at": local(form.get("expires_at"), zone), "label": str(form.get("label", "")),
    }
    try:
        if kind == "discount" and discount.endswith("%"):
            body["percent_off"] = int(discount[:-1].strip())
        elif kind == "discount" and discount:
            body["amount_off_cents"] = round(float(discount.replace(",", ".")) * 100)
        spec = VouchersIn.model_validate(body).spec()
    except (ValueError, ValidationError):  # pydantic's ValidationError is a ValueError too
        return page.redirect(f"{back}?error=invalid_request")
    return await _go(page, back, "created", page.container.vouchers.create(show_id, spec))


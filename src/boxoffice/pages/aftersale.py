"""The after-sale pages: a ticket (live QR, transfer, resale), a show's resale
tickets and waiting list, the fan's notifications, and the organiser's
after-sale page (rules, waiting-list figures, refunds, cancellation).

Every form posts with its CSRF token and an Idempotency-Key made when the
page was drawn, so a double submit moves money once. Domain errors come back
as the page with a readable message."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.errors import DomainError, InvalidRequest
from boxoffice.notifications.schemas import render
from boxoffice.pages.base import MESSAGES, FanPageDep, OrganiserPageDep, PageDep, message_for
from boxoffice.pages.organiser_forms import field_value, local
from boxoffice.rules.schemas import RulesPatch

router = APIRouter(include_in_schema=False)



def _key() -> str:
    return secrets.token_urlsafe(16)


def _done(text: str) -> str:
    return f"?done={text}"


# -- a ticket -------------------------------------------------------------------


@router.get("/my/tickets/{code}")
async def ticket(code: str, page: FanPageDep, error: str = "", done: str = "") -> Response:
    c = page.container
    found = await c.orders.ticket(page.account, code)
    rules = await c.rules.get(found.show_id)
    live = await c.checkin.live_code(found) if found.status == "valid" else None
    listings = [x for x in await c.resale.mine(page.account) if x.ticket_id == found.id and x.status.value == "open"]
    return page.render(
        "aftersale/ticket.html", ticket=found, rules=rules, live=live, listing=listings[0] if listings else None,
        cap=rules.resale_cap(found.price_cents), error=error, done=done, key=_key(),
    )  # fmt: skip


@router.post("/my/tickets/{code}/transfer")
async def transfer(code: str, page: FanPageDep) -> Response:
    form = await page.form()
    try:
        await page.container.transfers.transfer(page.account, code, str(form.get("email", "")), str(form.get("key", "")))
    except DomainError as error:
        return await ticket(code, page, error=message_for(error))
    return page.redirect("/my/tickets" + _done("transferred"))


@router.post("/my/tickets/{code}/sell")
async def sell(code: str, page: FanPageDep) -> Response:
    form = await page.form()
    try:
        price = round(float(str(form.get("price", "")).replace(",", ".")) * 100)
    except ValueError:
        return await ticket(code, page, error=message_for(InvalidRequest()))
    try:
        await page.container.resale.list_tickets(page.account, [code], price)
    except DomainError as error:
        return await ticket(code, page, error=message_for(error))
    return page.redirect(f"/my/tickets/{code}" + _done("listed"))


@router.post("/my/tickets/{code}/withdraw/{listing_id}")
async def withdraw(code: str, listing_id: str, page: FanPageDep) -> Response:
    await page.form()
    try:
        await page.container.resale.withdraw(page.account, listing_id)
    except DomainError as error:
        return await ticket(code, page, error=message_for(error))
    return page.redirect(f"/my/tickets/{code}" + _done("withdrawn"))


@router.post("/orders/{order_id}/refund")
async def request_refund(order_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    try:
        await page.container.refunds.request(page.account, order_id, str(form.get("key", "")))
    except DomainError as error:
        found = await page.container.orders.get(page.account, order_id)
        return page.render("aftersale/refund.html", order=found, error=message_for(error), key=_key(), status=409)
    return page.redirect(f"/orders/{order_id}")


@router.get("/orders/{order_id}/refund")
async def refund_form(order_id: str, page: FanPageDep) -> Response:
    found = await page.container.orders.get(page.account, order_id)
    return page.render("aftersale/refund.html", order=found, error="", key=_key())


# -- a show's resale tickets and waiting list -------------------------------------


@router.get("/shows/{show_id}/resale")
async def resale(show_id: str, page: PageDep, error: str = "") -> Response:
    found = await page.container.tickets.show(show_id)
    listings = await page.container.resale.available(show_id, page.account)
    return page.render("aftersale/resale.html", show=found, listings=listings, error=error, key=_key())


@router.post("/shows/{show_id}/resale/{listing_id}/buy")
async def buy(show_id: str, listing_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    payment = {"method": "fake", "outcome": str(form.get("outcome", "approve"))}
    try:
        bought = await page.container.resale.buy(page.account, listing_id, payment, str(form.get("key", "")))
    except DomainError as error:
        return await resale(show_id, page, error=message_for(error))
    return page.redirect(f"/orders/{bought.order.id}")


@router.get("/shows/{show_id}/waitlist")
async def waitlist(show_id: str, page: FanPageDep, error: str = "") -> Response:
    found = await page.container.tickets.show(show_id)
    try:
        entry, position = await page.container.waitlist.place(page.account, show_id)
    except DomainError:
        entry, position = None, None
    return page.render("aftersale/waitlist.html", show=found, entry=entry, position=position, error=error)


@router.post("/shows/{show_id}/waitlist")
async def join_waitlist(show_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    try:
        await page.container.waitlist.join(page.account, show_id, str(form.get("section_id", "")),
                                           int(str(form.get("quantity", "0")) or 0))  # fmt: skip
    except (DomainError, ValueError) as error:
        text = message_for(error) if isinstance(error, DomainError) else message_for(InvalidRequest())
        return await waitlist(show_id, page, error=text)
    return page.redirect(f"/shows/{show_id}/waitlist")


@router.post("/shows/{show_id}/waitlist/leave")
async def leave_waitlist(show_id: str, page: FanPageDep) -> Response:
    await page.form()
    await page.container.waitlist.leave(page.account, show_id)
    return page.redirect(f"/shows/{show_id}/waitlist")


# -- notifications ------------------------------------------------------------------


@router.get("/my/notifications")
async def notifications(page: FanPageDep) -> Response:
    found = await page.container.notifications.of(page.account)
    texts = {n.id: render(n, page._) for n in found}
    return page.render("aftersale/notifications.html", notifications=found, texts=texts)


@router.post("/my/notifications/read")
async def read_notifications(page: FanPageDep) -> Response:
    await page.form()
    await page.container.notifications.mark_read(page.account)
    return page.redirect("/my/notifications")


# -- the organiser ------------------------------------------------------------------


@router.get("/admin/shows/{show_id}/after-sale")
async def organiser_page(show_id: str, page: OrganiserPageDep, error: str = "", done: str = "") -> Response:
    c = page.container
    found = await c.inventory.show(show_id)
    names = {s.id: s.name for s in found.sections}
    rules = await c.rules.get(show_id)
    until = {"transfer_until": rules.transfer_until, "refund_until": rules.refund_until}  # in the venue's zone
    return page.render(
        "aftersale/admin.html", show=found, rules=rules, figures=await c.waitlist.stats(show_id),
        names=names, error=error, done=done, key=_key(),
        until={k: field_value(v, found.timezone) if v else "" for k, v in until.items()},
    )  # fmt: skip


def _rules_form(form: dict[str, Any], zone: str = "UTC") -> RulesPatch:
    def when(name: str) -> datetime | None:  # a datetime-local field, in the venue's time zone
        text = str(form.get(name) or "").strip()
        return datetime.fromisoformat(local(text, zone)) if text else None

    return RulesPatch(
        transfers_enabled="transfers_enabled" in form, transfer_until=when("transfer_until"),
        max_transfers=int(str(form.get("max_transfers", "1"))), fan_refunds="fan_refunds" in form,
        refund_until=when("refund_until"), resale_enabled="resale_enabled" in form,
        resale_cap_percent=int(str(form.get("resale_cap_percent", "100"))),
        offer_minutes=int(str(form.get("offer_minutes", "15"))), rotating_codes="rotating_codes" in form,
    )  # fmt: skip


@router.post("/admin/shows/{show_id}/after-sale")
async def change_rules(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        patch = _rules_form(form, (await page.container.inventory.show(show_id)).timezone)
        await page.container.rules.change(page.account, show_id, patch.changes())
    except (DomainError, ValueError) as error:
        text = message_for(error) if isinstance(error, DomainError) else MESSAGES["invalid_request"]
        return await organiser_page(show_id, page, error=text)
    return page.redirect(f"/admin/shows/{show_id}/after-sale" + _done("saved"))


@router.post("/admin/shows/{show_id}/refund")
async def organiser_refund(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    try:
        await page.container.refunds.refund_order(page.account, str(form.get("order_id", "")).strip(),
                                                  str(form.get("key", "")))  # fmt: skip
    except DomainError as error:
        return await organiser_page(show_id, page, error=message_for(error))
    return page.redirect(f"/admin/shows/{show_id}/after-sale" + _done("refunded"))


@router.post("/admin/shows/{show_id}/cancel")
async def cancel(show_id: str, page: OrganiserPageDep) -> Response:
    form = await page.form()
    if form.get("confirm") != "yes":
        return await organiser_page(show_id, page, error=MESSAGES["invalid_request"])
    await page.container.refunds.cancel_show(page.account, show_id, str(form.get("key", "")))
    return page.redirect(f"/admin/shows/{show_id}/after-sale" + _done("cancelled"))

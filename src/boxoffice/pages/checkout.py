"""Checkout, payment, the order and the fan's tickets.

What the fan sees is always the truth of the hold: a hold that was paid
sends the fan to its order (the browser's Back and a reload alike), an
expired one is shown dead, and none of these pages is kept in the browser's
back/forward cache (Cache-Control: no-store), so Back never shows a payable
checkout for tickets that were paid.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.errors import DomainError
from boxoffice.holds.domain import HoldStatus
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.qr import qr_data_uri
from boxoffice.pages.base import MESSAGES, FanPageDep, Page

router = APIRouter(include_in_schema=False)
NO_STORE = "no-store"


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    return response


async def _paid_order(page: Page, hold_id: str) -> Order | None:
    assert page.account is not None
    orders = await page.container.orders.history(page.account)
    return next((o for o in orders if o.hold_id == hold_id and o.status is OrderStatus.PAID), None)


@router.get("/checkout/{hold_id}")
async def checkout(hold_id: str, page: FanPageDep, error: str = "") -> Response:
    held = await page.container.holds.get(page.account, hold_id)
    if held.status is HoldStatus.CONVERTED:
        paid = await _paid_order(page, hold_id)
        if paid is not None:
            return no_store(page.redirect(f"/orders/{paid.id}"))
    found = await page.container.tickets.show(held.show_id)
    section = found.section(held.section_id)
    seats = await page.container.inventory.seats(held.seat_ids) if held.seat_ids else {}
    now = page.container.clock.now()
    live = held.is_live(now)
    if error == "hold_expired" or not live:
        error = ""  # the page says it once, in the expired state itself
    return no_store(page.render(
        "checkout.html", hold=held, show=found, section=section, seats=[s.label for s in seats.values()],
        live=live, state=held.status_at(now).value,
        seconds_left=max(int((held.expires_at - now).total_seconds()), 0),
        total=section.price_cents * held.quantity, error=error if error in MESSAGES else "",
        key=secrets.token_urlsafe(16), pix=page.container.pix is not None,
    ))  # fmt: skip


@router.post("/checkout/{hold_id}/pay")
async def pay(hold_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    outcome = str(form.get("outcome", "approve"))
    payment = {"method": "pix"} if outcome == "pix" else {"method": "fake", "outcome": outcome}
    voucher = str(form.get("voucher") or "").strip() or None
    try:
        if voucher:
            await page.container.limits.hit("presale", page.account.id)  # code attempts
        order = await page.container.orders.create(
            page.account, hold_id, payment, str(form.get("key") or ""), voucher
        )
    except DomainError as error:
        if error.code == "already_paid":
            paid = await _paid_order(page, hold_id)
            if paid is not None:
                return no_store(page.redirect(f"/orders/{paid.id}"))
        return no_store(page.redirect(f"/checkout/{hold_id}?error={error.code}"))
    return no_store(page.redirect(f"/orders/{order.id}"))


@router.post("/checkout/{hold_id}/release")
async def release(hold_id: str, page: FanPageDep) -> Response:
    await page.form()
    held = await page.container.holds.release(page.account, hold_id)
    return page.redirect(f"/shows/{held.show_id}")


@router.get("/orders/{order_id}")
async def order(order_id: str, page: FanPageDep) -> Response:
    found = await page.container.orders.get(page.account, order_id)
    if found.payment is not None and found.status is not OrderStatus.PAID:  # Pix: pay, or what went wrong
        qr = qr_data_uri(found.payment.copy_paste) if found.payment.copy_paste else ""
        return no_store(page.render("pix_payment.html", order=found, qr=qr))
    history = await page.container.orders.history(page.account)
    attempts = sorted((o for o in history if o.hold_id == found.hold_id), key=lambda o: o.created_at)
    show = await page.container.tickets.show(found.show_id)
    return no_store(page.render(
        "order.html", order=found, show=show, attempts=attempts,
        qr={t.code: qr_data_uri(t.code) for t in found.tickets},
    ))  # fmt: skip


@router.get("/my/tickets")
async def my_tickets(page: FanPageDep) -> Response:
    """Paid orders with their tickets; declined or unanswered attempts live in
    their order's history, not here (they hold no ticket)."""
    orders = [o for o in await page.container.orders.history(page.account) if o.status is OrderStatus.PAID]
    received = await page.container.transfers.received(page.account)  # after the sale: transfers to this fan
    shows = {s: await page.container.tickets.show(s) for s in {o.show_id for o in orders} | {t.show_id for t in received}}
    qr = {t.code: qr_data_uri(t.code) for o in orders for t in o.tickets}
    return no_store(page.render("tickets.html", orders=orders, shows=shows, qr=qr, received=received))

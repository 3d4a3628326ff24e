"""The fan's pages: shows, log in / register, pick, wait, pay, tickets."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.accounts.schemas import RegisterIn
from boxoffice.errors import Busy, DomainError, NotFound
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import SaleStatus, SectionKind
from boxoffice.orders.qr import qr_data_uri
from boxoffice.pages.base import MESSAGES, FanPageDep, PageDep, message_for, safe_next
from boxoffice.pages.i18n import LANG_COOKIE, LANGUAGES
from boxoffice.waitingroom.domain import PlaceStatus
from boxoffice.web import cookies
from boxoffice.web.deps import client_ip, hold_limits, login_limits, queue_limits

router = APIRouter(include_in_schema=False)
ADMISSION_COOKIE = "boxoffice_admission"


@router.get("/")
async def home(page: PageDep) -> Response:
    now = page.container.clock.now()
    shows = [s for s in await page.container.inventory.list_shows() if s.sale_status(now) is not SaleStatus.CLOSED]
    return page.render("home.html", shows=shows, now=now)


@router.get("/shows/{show_id}")
async def show(show_id: str, page: PageDep) -> Response:
    container = page.container
    found = await container.tickets.show(show_id)
    snapshot = await container.tickets.availability(show_id)
    now = container.clock.now()
    room = await container.waiting_room.room(show_id)
    return page.render(
        "show.html", show=found, availability=snapshot.sections, sale=found.sale_status(now).value,
        room_open=room is not None and room.is_open(now), key=secrets.token_urlsafe(16),
        most=min(found.per_account_limit, container.settings.max_quantity_per_hold),
    )  # fmt: skip


@router.get("/lang/{code}")
async def switch_language(code: str, page: PageDep, next: str = "/") -> Response:
    response = page.redirect(safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


# -- accounts ------------------------------------------------------------------


@router.get("/login")
async def login_form(page: PageDep, next: str = "/", registered: bool = False, email: str = "") -> Response:
    notice = MESSAGES["registered"] if registered else ""
    return page.render("login.html", next=safe_next(next), email=email[:254], notice=notice)


@router.post("/login")
async def login(page: PageDep) -> Response:
    form = await page.form()
    email, target = str(form.get("email", "")), safe_next(str(form.get("next", "/")))
    try:
        await login_limits(page.container, page.request, email)
        _, token = await page.container.accounts.login(email, str(form.get("password", "")))
    except Busy:
        raise  # 503 + Retry-After, as an error page
    except DomainError as error:
        return page.render("login.html", status=401 if error.code == "invalid_credentials" else 429,
                           error=message_for(error), email=email, next=target)  # fmt: skip
    return _logged_in(page, token, target)


@router.get("/register")
async def register_form(page: PageDep) -> Response:
    return page.render("register.html", values={})


@router.post("/register")
async def register(page: PageDep) -> Response:
    form = await page.form()
    values = {k: str(form.get(k, "")) for k in ("email", "name")}
    try:
        body = RegisterIn(email=values["email"], name=values["name"], password=str(form.get("password", "")))
        await page.container.limits.hit("register", client_ip(page.request))
        await page.container.accounts.sign_up(body.email, body.password, body.name)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors()})
        return page.render("register.html", status=422, error="invalid_request", fields=fields, values=values)
    except Busy:
        raise  # 503 + Retry-After, as an error page
    except DomainError as error:
        code = "weak_password" if error.details.get("field") == "password" else error.code
        return page.render("register.html", status=422 if code != "rate_limited" else 429,
                           error=code, fields=[], values=values)  # fmt: skip
    # The same page whether or not the email had an account (no enumeration).
    return page.redirect(f"/login?registered=1&email={quote(body.email)}")


def _logged_in(page: Any, token: str, target: str) -> Response:
    response = page.redirect(target)
    cookies.set_session(response, page.container.settings, token)
    return response


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    await page.form()
    token = cookies.read(page.request, cookies.SESSION)
    if token:
        await page.container.accounts.logout(token)
    response = page.redirect("/")
    cookies.clear_session(response, page.container.settings)
    return response


# -- picking -------------------------------------------------------------------


@router.get("/shows/{show_id}/sections/{section_id}")
async def picker(show_id: str, section_id: str, page: FanPageDep, error: str = "") -> Response:
    found = await page.container.tickets.show(show_id)
    section, seats = found.section(section_id), []
    if section.kind is SectionKind.SEATED:
        _, seats = await page.container.tickets.seat_map(show_id, section_id)
    rows: dict[str, list[Any]] = {}
    for seat in seats:
        rows.setdefault(seat.row_label, []).append(seat)
    most = min(found.per_account_limit, page.container.settings.max_quantity_per_hold)
    return page.render(
        "picker.html", show=found, section=section, rows=rows, most=most,
        error=error if error in MESSAGES else "", key=secrets.token_urlsafe(16),
    )  # fmt: skip


@router.post("/shows/{show_id}/sections/{section_id}/hold")
async def hold(show_id: str, section_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    seats = form.get("seat", [])
    seat_ids = [seats] if isinstance(seats, str) else list(seats)
    try:
        if seat_ids:
            request = HoldRequest(show_id, section_id, seat_ids=tuple(int(s) for s in seat_ids))
        else:
            request = HoldRequest(show_id, section_id, quantity=int(form.get("quantity", 0)))
        made = await page.container.holds.create(
            page.account, request, idempotency_key=str(form.get("key") or "") or None,
            admission_token=page.request.cookies.get(f"{ADMISSION_COOKIE}_{show_id}"),
            before_database=hold_limits(page.container, page.account.id, client_ip(page.request)),
        )  # fmt: skip
    except ValueError:
        return page.redirect(f"/shows/{show_id}/sections/{section_id}?error=invalid_request")
    except DomainError as error:
        code = "admission_required" if error.code == "forbidden" else error.code
        return page.redirect(f"/shows/{show_id}/sections/{section_id}?error={code}")
    return page.redirect(f"/checkout/{made.id}")


# -- waiting room --------------------------------------------------------------


@router.post("/shows/{show_id}/queue")
async def join_queue(show_id: str, page: FanPageDep) -> Response:
    await page.form()
    await queue_limits(page.container, page.account.id, page.request)
    await page.container.waiting_room.join(page.account, await page.container.tickets.show(show_id))
    return page.redirect(f"/shows/{show_id}/queue")


@router.get("/shows/{show_id}/queue")
async def queue(show_id: str, page: FanPageDep) -> Response:
    found = await page.container.tickets.show(show_id)
    try:
        place = await page.container.waiting_room.place(page.account, found)
    except NotFound:
        return page.render("queue.html", show=found, place=None)
    response = page.render("queue.html", show=found, place=place, admitted=place.status.status is PlaceStatus.ADMITTED)
    if place.token and place.status.admitted_until:
        seconds = int((place.status.admitted_until - page.container.clock.now()).total_seconds())
        response.set_cookie(
            f"{ADMISSION_COOKIE}_{show_id}", place.token, max_age=max(seconds, 1), httponly=True,
            secure=page.container.settings.cookie_secure, samesite="lax", path="/",
        )  # fmt: skip
    return response


# -- checkout and tickets -------------------------------------------------------


@router.get("/checkout/{hold_id}")
async def checkout(hold_id: str, page: FanPageDep, error: str = "") -> Response:
    held = await page.container.holds.get(page.account, hold_id)
    found = await page.container.tickets.show(held.show_id)
    section = found.section(held.section_id)
    seats = await page.container.inventory.seats(held.seat_ids) if held.seat_ids else {}
    now = page.container.clock.now()
    return page.render(
        "checkout.html", hold=held, show=found, section=section, seats=[s.label for s in seats.values()],
        live=held.is_live(now), seconds_left=max(int((held.expires_at - now).total_seconds()), 0),
        total=section.price_cents * held.quantity, error=error if error in MESSAGES else "",
        key=secrets.token_urlsafe(16),
    )  # fmt: skip


@router.post("/checkout/{hold_id}/pay")
async def pay(hold_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    payment = {"method": "fake", "outcome": str(form.get("outcome", "approve"))}
    try:
        order = await page.container.orders.create(page.account, hold_id, payment, str(form.get("key") or ""))
    except DomainError as error:
        return page.redirect(f"/checkout/{hold_id}?error={error.code}")
    return page.redirect(f"/orders/{order.id}")


@router.post("/checkout/{hold_id}/release")
async def release(hold_id: str, page: FanPageDep) -> Response:
    await page.form()
    held = await page.container.holds.release(page.account, hold_id)
    return page.redirect(f"/shows/{held.show_id}")


@router.get("/orders/{order_id}")
async def order(order_id: str, page: FanPageDep) -> Response:
    found = await page.container.orders.get(page.account, order_id)
    return page.render("order.html", order=found, qr={t.code: qr_data_uri(t.code) for t in found.tickets})


@router.get("/my/tickets")
async def my_tickets(page: FanPageDep) -> Response:
    orders = await page.container.orders.history(page.account)
    qr = {t.code: qr_data_uri(t.code) for o in orders for t in o.tickets}
    return page.render("tickets.html", orders=orders, qr=qr)


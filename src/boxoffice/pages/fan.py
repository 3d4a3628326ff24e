"""The fan's pages: shows, log in / register, pick, wait, pay, tickets."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import ValidationError

from boxoffice.accounts.schemas import RegisterIn
from boxoffice.errors import Busy, DomainError, NotFound
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import SaleStatus, SectionKind
from boxoffice.pages import checkout
from boxoffice.pages.base import MESSAGES, FanPageDep, Page, PageDep, message_for, safe_next
from boxoffice.pages.i18n import LANG_COOKIE, LANGUAGES
from boxoffice.pages.venue import plan, seat_layout
from boxoffice.waitingroom.domain import PlaceStatus
from boxoffice.web import cookies
from boxoffice.web.deps import client_ip, hold_limits, login_limits, queue_limits

router = APIRouter(include_in_schema=False)
router.include_router(checkout.router)
ADMISSION_COOKIE = "boxoffice_admission"
# What a person reads under a register field the validator refused (msgids).
FIELD_MESSAGES = {
    "name": "Enter your name.",
    "email": "Enter an email address like name@example.com.",
    "password": "Use at least 10 characters.",
}


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
    try:
        presale = (await container.presales.get(show_id))[0]
    except NotFound:
        presale = None
    room_open = room is not None and room.is_open(now)
    return page.render(
        "show.html", show=found, availability=snapshot.sections, sale=found.sale_status(now).value,
        room_open=room_open, turn=await _turn(page, found) if room_open else None, blocks=plan(snapshot.sections),
        key=secrets.token_urlsafe(16), most=min(found.per_account_limit, container.settings.max_quantity_per_hold),
        presale=presale if presale and now < presale.general_sale_at else None,
    )  # fmt: skip


@router.get("/shows/{show_id}/poster")
async def poster(show_id: str, page: PageDep) -> Response:
    """The organiser's poster; its URL carries its version, so it is cached for good."""
    content_type, data = await page.container.inventory.poster(show_id)
    return Response(data, media_type=content_type, headers={
        "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})  # fmt: skip


async def _turn(page: Page, found: Any) -> str:
    """Where the fan stands in the show's waiting room: "out" (not joined or
    not logged in), "waiting", "admitted" or "expired"."""
    if page.account is None:
        return "out"
    try:
        place = await page.container.waiting_room.place(page.account, found)
    except DomainError:
        return "out"
    return place.status.status.value


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
async def register_form(page: PageDep, next: str = "/") -> Response:
    return page.render("register.html", values={}, errors={}, next=safe_next(next))


@router.post("/register")
async def register(page: PageDep) -> Response:
    """A refused form comes back with each wrong field marked and explained,
    and everything typed (the password too) kept, so the fan fixes one field."""
    form = await page.form()
    values = {k: str(form.get(k, "")) for k in ("email", "name", "password")}
    target = safe_next(str(form.get("next", "/")))
    try:
        body = RegisterIn(email=values["email"], name=values["name"], password=values["password"])
        await page.container.limits.hit("register", client_ip(page.request))
        await page.container.accounts.sign_up(
            body.email, body.password, body.name, language=page.language.code
        )
    except ValidationError as exc:
        errors = {str(e["loc"][0]): FIELD_MESSAGES.get(str(e["loc"][0]), MESSAGES["invalid_request"])
                  for e in exc.errors()}  # fmt: skip
        return page.render("register.html", status=422, errors=errors, values=values, next=target)
    except Busy:
        raise  # 503 + Retry-After, as an error page
    except DomainError as error:
        field = str(error.details.get("field") or ("email" if error.code == "email_taken" else ""))
        code = "weak_password" if field == "password" and error.code == "invalid_request" else error.code
        errors = {field: MESSAGES.get(code, message_for(error))} if field else {}
        return page.render("register.html", status=429 if code == "rate_limited" else 422, errors=errors,
                           error="" if field else code, values=values, next=target)  # fmt: skip
    # The same page whether or not the email had an account (no enumeration).
    after = f"&next={quote(target)}" if target != "/" else ""
    return page.redirect(f"/login?registered=1&email={quote(body.email)}{after}")


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
async def picker(
    show_id: str, section_id: str, page: FanPageDep, error: str = "",
    seat: list[str] = Query(default=[]), quantity: str = "",  # noqa: B008 - FastAPI's way to read a list
) -> Response:  # fmt: skip
    """Before the fan picks: the limit per fan and what they already have; after
    a refused hold: the same page with their picks (seats still free) kept."""
    found = await page.container.tickets.show(show_id)
    section, seats = found.section(section_id), []
    if section.kind is SectionKind.SEATED:
        _, seats = await page.container.tickets.seat_map(show_id, section_id)
    rows: dict[str, list[Any]] = {}
    for s in seats:
        rows.setdefault(s.row_label, []).append(s)
    used = await page.container.holds.tickets_used(page.account, show_id)
    left = max(found.per_account_limit - used, 0)
    most = min(left, page.container.settings.max_quantity_per_hold)
    free = {s.id for s in seats if s.status.value == "free"}
    return page.render(
        "picker.html", show=found, section=section, rows=rows, most=most, used=used, left=left,
        seat_layout=seat_layout(rows) if rows else None,
        limit=found.per_account_limit, picked={int(i) for i in seat if i.isdigit() and int(i) in free},
        quantity=int(quantity) if quantity.isdigit() else 1,
        error=error if error in MESSAGES else "", key=secrets.token_urlsafe(16),
    )  # fmt: skip


@router.post("/shows/{show_id}/sections/{section_id}/hold")
async def hold(show_id: str, section_id: str, page: FanPageDep) -> Response:
    form = await page.form()
    seats = form.get("seat", [])
    seat_ids = [seats] if isinstance(seats, str) else list(seats)
    try:
        if form.get("best"):  # best available: the system picks the best seats together
            seat_ids = []
            request = HoldRequest(show_id, section_id, quantity=int(form.get("best_quantity", 0)))
        elif seat_ids:
            request = HoldRequest(show_id, section_id, seat_ids=tuple(int(s) for s in seat_ids))
        else:
            request = HoldRequest(show_id, section_id, quantity=int(form.get("quantity", 0)))
        made = await page.container.holds.create(
            page.account, request, idempotency_key=str(form.get("key") or "") or None,
            admission_token=page.request.cookies.get(f"{ADMISSION_COOKIE}_{show_id}"),
            before_database=hold_limits(page.container, page.account.id, client_ip(page.request)),
        )  # fmt: skip
    except ValueError:
        return page.redirect(_again(show_id, section_id, "invalid_request", seat_ids, form))
    except DomainError as error:
        code = "admission_required" if error.code == "forbidden" else error.code
        return page.redirect(_again(show_id, section_id, code, seat_ids, form))
    return page.redirect(f"/checkout/{made.id}")


def _again(show_id: str, section_id: str, code: str, seat_ids: list[str], form: dict[str, Any]) -> str:
    """The picker again, saying what went wrong and keeping the fan's picks."""
    query: list[tuple[str, str]] = [("error", code)] + [("seat", s) for s in seat_ids if s.isdigit()]
    if str(form.get("quantity", "")).isdigit():
        query.append(("quantity", str(form["quantity"])))
    return f"/shows/{show_id}/sections/{section_id}?{urlencode(query)}"


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
    except DomainError as error:  # no room (any more), or not open yet
        return page.render("queue.html", show=found, place=None, error=error.code)
    response = page.render("queue.html", show=found, place=place, admitted=place.status.status is PlaceStatus.ADMITTED)
    if place.token and place.status.admitted_until:
        seconds = int((place.status.admitted_until - page.container.clock.now()).total_seconds())
        response.set_cookie(
            f"{ADMISSION_COOKIE}_{show_id}", place.token, max_age=max(seconds, 1), httponly=True,
            secure=page.container.settings.cookie_secure, samesite="lax", path="/",
        )  # fmt: skip
    return response

"""What every page handler shares: who is asking, in which language, the
form token, rendering, and the messages for domain errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from boxoffice.accounts.domain import Account
from boxoffice.accounts.schemas import REGISTERED
from boxoffice.bootstrap import Container
from boxoffice.errors import DomainError, Forbidden, NotAuthenticated
from boxoffice.pages import csrf
from boxoffice.pages.i18n import LANG_COOKIE, Language, choose, load_catalogs
from boxoffice.web import cookies
from boxoffice.web.deps import ContainerDep

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# What a person reads for each error code (msgids: translated in locales/).
MESSAGES = {
    "invalid_credentials": "Email or password is wrong.",
    "email_taken": "An account with this email already exists. Log in instead.",
    "weak_password": "Choose a stronger password: at least 10 characters, not a common or easy-to-guess one, not your email. A few unrelated words work well.",
    "registered": REGISTERED,
    "invalid_request": "Some fields are not right: check them and try again.",
    "sold_out": "Sold out: there are not that many tickets left in this section.",
    "seats_unavailable": "Someone else took one of those seats. Pick others.",
    "seats_not_together": "There are not that many free seats together in this section: ask for fewer, or pick them on the map.",
    "limit_exceeded": "That is more than the ticket limit per fan for this show.",
    "sale_not_open": "The sale is not open.",
    "hold_expired": "Your hold expired and the tickets went back on sale.",
    "hold_not_active": "This hold is no longer active.",
    "already_paid": "This hold is already paid.",
    "payment_declined": "The payment was declined. Your tickets are still held: try again.",
    "payment_timeout": "The payment provider did not answer. Your tickets are still held: try again.",
    "admission_required": "Join the waiting room first: it is your turn when it says so.",
    "rate_limited": "Too many tries. Wait a minute and try again.",
    "busy": "We are very busy right now. Try again in a moment.",
    "csrf_failed": "This form expired. Reload the page and try again.",
    "already_used": "Already used: this ticket was checked in before.",
    "not_found": "Not found.",
    "queue_not_open": "The waiting room is not open.",
    "forbidden": "Only organisers can do this.",
    # after the sale
    "not_allowed": "The organiser does not allow this for this show.",
    "ticket_not_valid": "This ticket is not valid any more: it was transferred, resold, refunded or is listed.",
    "nothing_to_refund": "Nothing in this order can be refunded.",
    "listing_unavailable": "Someone else is buying this ticket, or it is gone.",
    "show_cancelled": "This show was cancelled.",
    "code_expired": "This code has expired: show the live code on your phone.",
    "already_on_list": "You already have a place on this waiting list.",
    "tickets_available": "Tickets are still on sale: buy them instead.",
    "payment_pending": "A Pix payment for these tickets is waiting for confirmation.",
    "presale_code_required": "This show is in its presale: enter your presale code first.",
    "presale_code_invalid": "That is not a presale code of this show.",
    "presale_code_not_yours": "That presale code belongs to another account.",
    "presale_code_used": "That code has already been used.",
    "presale_closed": "This is not the time for that: see the presale's dates.",
    "voucher_invalid": "That voucher does not exist for this show.",
    "voucher_expired": "That voucher has expired.",
    "voucher_used_up": "That voucher has been used up.",
    "voucher_wrong_kind": "That voucher cannot be used here.",
}


def order_number(order: Any) -> str:
    """What a fan reads (and says on the phone) for an order: short, unambiguous."""
    return "BX-" + str(order.id)[:8].upper()


def message_for(error: DomainError) -> str:
    """The msgid for an error; an error without one keeps its own (English) message."""
    return MESSAGES.get(error.code) or error.message


class Pages:
    """Built once per app: templates and translations."""

    def __init__(self) -> None:
        self.templates = Jinja2Templates(directory=TEMPLATES)
        self.templates.env.globals["messages"] = MESSAGES
        self.templates.env.globals["order_number"] = order_number
        self.catalogs = load_catalogs()

    def error(self, request: Request, status: int, error: DomainError) -> HTMLResponse:
        """A domain error met by a page: the same message, as a page, in the fan's language."""
        message = message_for(error)
        code = choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", ""))
        context = {**Language(code, self.catalogs[code]).helpers(), "account": None, "csrf": "",
                   "path": request.url.path, "message": message}  # fmt: skip
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)


@dataclass
class Page:
    request: Request
    container: Container
    pages: Pages
    account: Account | None
    language: Language
    browser_key: str
    new_browser_key: bool

    @property
    def _(self) -> Any:
        return self.language.gettext

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        context = {
            **self.language.helpers(), "account": self.account,
            "csrf": csrf.form_token(self.container.secret, self.browser_key),
            "path": self.request.url.path, "query": self.request.url.query,
            "session_hours": round(self.container.settings.session_days * 24), **values,
        }  # fmt: skip
        response = self.pages.templates.TemplateResponse(
            self.request, template, context, status_code=status
        )
        return self.finish(response)

    def redirect(self, to: str) -> RedirectResponse:
        return self.finish(RedirectResponse(to, status_code=303))

    def finish(self, response: Any) -> Any:
        if self.new_browser_key:
            cookies.set_form(response, self.container.settings, self.browser_key)
        return response

    async def form(self) -> dict[str, Any]:
        """The posted form, once its CSRF token checks out (else CsrfFailed)."""
        data = await self.request.form()
        csrf.verify(self.request, self.container.secret, str(data.get("csrf") or ""))
        return {k: (data.getlist(k) if len(data.getlist(k)) > 1 else v) for k, v in data.items()}


class LoginRequired(Exception):
    """A page for logged-in fans was asked for without a session: go log in."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


async def login_required(_request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)


async def _page(request: Request, container: ContainerDep) -> Page:
    account = None
    token = cookies.read(request, cookies.SESSION)
    if token:
        try:
            account = await container.accounts.authenticate(token)
            request.state.account_id = account.id
        except NotAuthenticated:
            account = None
    pages: Pages = request.app.state.pages
    code = choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", ""))
    key = cookies.read(request, cookies.FORM)
    return Page(
        request, container, pages, account, Language(code, pages.catalogs[code]),
        key or csrf.new_browser_key(), key is None,
    )  # fmt: skip


PageDep = Annotated[Page, Depends(_page)]


async def _fan_page(page: PageDep) -> Page:
    if page.account is None:
        raise LoginRequired(page.request.url.path)
    return page


FanPageDep = Annotated[Page, Depends(_fan_page)]  # page.account is set


async def _organiser_page(page: FanPageDep) -> Page:
    assert page.account is not None
    if not page.account.is_organiser:
        raise Forbidden("Only organisers can do this.")
    return page


OrganiserPageDep = Annotated[Page, Depends(_organiser_page)]


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a fan to another site after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"

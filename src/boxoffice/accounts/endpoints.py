"""/api/v1/auth and /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from boxoffice.accounts.schemas import AccountOut, LanguageIn, LoginIn, LoginOut, RegisteredOut, RegisterIn
from boxoffice.pages.i18n import LANG_COOKIE, choose
from boxoffice.web import cookies
from boxoffice.web.deps import (
    ContainerDep,
    CurrentAccount,
    client_ip,
    csrf_token_for,
    login_limits,
    session_token,
)

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/auth/register", status_code=202, response_model=RegisteredOut)
async def register(body: RegisterIn, request: Request, container: ContainerDep) -> RegisteredOut:
    """202 and the same words whether or not the email has an account (no
    enumeration); a new account can log in at once."""
    await container.limits.hit("register", client_ip(request))
    language = body.language or choose(
        request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )
    await container.accounts.sign_up(body.email, body.password, body.name, language=language)
    return RegisteredOut()


@router.post("/auth/login", response_model=LoginOut)
async def login(
    body: LoginIn, request: Request, response: Response, container: ContainerDep
) -> LoginOut:
    await login_limits(container, request, body.email)
    account, token = await container.accounts.login(body.email, body.password)
    cookies.set_session(response, container.settings, token)
    return LoginOut(
        token=token,
        csrf_token=csrf_token_for(container.secret, token),
        account=AccountOut.of(account),
    )


@router.post("/auth/logout", status_code=204)
async def logout(
    request: Request, response: Response, account: CurrentAccount, container: ContainerDep
) -> Response:
    found = session_token(request)
    if found is not None:
        await container.accounts.logout(found[0])
    response = Response(status_code=204)
    cookies.clear_session(response, container.settings)
    return response


@router.get("/me", response_model=AccountOut)
async def me(account: CurrentAccount) -> AccountOut:
    return AccountOut.of(account)


@router.put("/me/language", response_model=AccountOut)
async def set_language(body: LanguageIn, account: CurrentAccount, container: ContainerDep) -> AccountOut:
    """The language of the mail we send you (en or pt-BR)."""
    return AccountOut.of(await container.accounts.set_language(account, body.language))

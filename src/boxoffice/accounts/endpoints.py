"""/api/v1/auth and /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from boxoffice.accounts.schemas import AccountOut, LanguageIn, LoginIn, LoginOut, RegisterIn
from boxoffice.accounts.domain import normalise_email
from boxoffice.pages.i18n import LANG_COOKIE, choose
from boxoffice.web.deps import (
    SESSION_COOKIE,
    ContainerDep,
    CurrentAccount,
    client_ip,
    csrf_token_for,
    session_token,
)

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/auth/register", status_code=201, response_model=AccountOut)
async def register(body: RegisterIn, request: Request, container: ContainerDep) -> AccountOut:
    await container.limits.hit("register", client_ip(request))
    language = body.language or choose(
        request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )
    account = await container.accounts.register(body.email, body.password, body.name, language=language)
    return AccountOut.of(account)


@router.post("/auth/login", response_model=LoginOut)
async def login(
    body: LoginIn, request: Request, response: Response, container: ContainerDep
) -> LoginOut:
    await container.limits.hit("login", client_ip(request), normalise_email(body.email))
    account, token = await container.accounts.login(body.email, body.password)
    settings = container.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_days * 86400),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
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
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=AccountOut)
async def me(account: CurrentAccount) -> AccountOut:
    return AccountOut.of(account)


@router.put("/me/language", response_model=AccountOut)
async def set_language(body: LanguageIn, account: CurrentAccount, container: ContainerDep) -> AccountOut:
    """The language of the mail we send you (en or pt-BR)."""
    return AccountOut.of(await container.accounts.set_language(account, body.language))

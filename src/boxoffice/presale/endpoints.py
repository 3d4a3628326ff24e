"""/api/v1/shows/{id}/presale (fans) and /api/v1/admin/shows/{id}/presale (organisers)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from boxoffice.presale.domain import salt_of
from boxoffice.presale.schemas import CodeIn, DrawIn, FanPresaleOut, PresaleIn, PresaleLotteryOut, PresaleOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser

router = APIRouter(prefix="/api/v1", tags=["presale"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


async def _out(container: ContainerDep, show_id: str) -> PresaleOut:
    presale, show, registered = await container.presales.get(show_id)
    return PresaleOut.of(presale, show.sale_opens_at, registered)


@router.get("/shows/{show_id}/presale", response_model=PresaleOut)
async def presale(show_id: str, container: ContainerDep) -> PresaleOut:
    """The presale's dates, the lottery's commitment and how many registered."""
    return await _out(container, show_id)


@router.post("/shows/{show_id}/presale/registration", status_code=201, response_model=FanPresaleOut)
async def register(
    show_id: str, account: CurrentAccount, container: ContainerDep, response: Response
) -> FanPresaleOut:
    """Register interest (one registration per account: again answers 200, the same one)."""
    fan, new = await container.presales.register(account, show_id)
    if not new:
        response.status_code = 200
    return FanPresaleOut.of(await container.presales.mine(account, show_id))


@router.get("/shows/{show_id}/presale/me", response_model=FanPresaleOut)
async def mine(show_id: str, account: CurrentAccount, container: ContainerDep) -> FanPresaleOut:
    return FanPresaleOut.of(await container.presales.mine(account, show_id))


@router.post("/shows/{show_id}/presale/code", response_model=FanPresaleOut)
async def redeem(show_id: str, body: CodeIn, account: CurrentAccount, container: ContainerDep) -> FanPresaleOut:
    """Enter your code (single-use): it unlocks the presale's queue and holds for
    your account. 404 presale_code_invalid, 403 presale_code_not_yours, 409
    presale_code_used, 429 rate_limited; a refused code writes nothing."""
    await container.presales.redeem(account, show_id, body.code)
    return FanPresaleOut.of(await container.presales.mine(account, show_id))


@router.get("/shows/{show_id}/presale/lottery", response_model=PresaleLotteryOut)
async def lottery(show_id: str, container: ContainerDep) -> PresaleLotteryOut:
    presale, keys = await container.presales.lottery(show_id)
    return PresaleLotteryOut(
        show_id=show_id, commitment=presale.commitment, drawn_at=presale.drawn_at,
        seed=presale.seed if presale.drawn_at else None, codes_drawn=presale.codes_drawn,
        salt=salt_of(presale.seed) if presale.drawn_at else None, entrants=keys,
    )  # fmt: skip


@admin.put("/shows/{show_id}/presale", response_model=PresaleOut)
async def configure(show_id: str, body: PresaleIn, _: CurrentOrganiser, container: ContainerDep) -> PresaleOut:
    await container.presales.configure(
        show_id, body.registration_opens_at, body.registration_closes_at, body.general_sale_at
    )
    return await _out(container, show_id)


@admin.post("/shows/{show_id}/presale/draw", response_model=PresaleOut)
async def draw(show_id: str, body: DrawIn, _: CurrentOrganiser, container: ContainerDep) -> PresaleOut:
    """Draw the codes (once, after registration closes); each winner is emailed their code."""
    await container.presales.draw(show_id, body.codes)
    return await _out(container, show_id)

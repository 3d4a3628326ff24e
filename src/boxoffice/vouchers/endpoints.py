"""/api/v1/admin/shows/{id}/vouchers (organisers). Fans use a discount voucher
in `POST /api/v1/orders` (`voucher`) and an access voucher where a presale
code goes (`POST /api/v1/shows/{id}/presale/code`)."""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.vouchers.schemas import VoucherOut, VouchersIn
from boxoffice.web.deps import ContainerDep, CurrentOrganiser

admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@admin.post("/shows/{show_id}/vouchers", status_code=201, response_model=list[VoucherOut])
async def create_vouchers(
    show_id: str, body: VouchersIn, _: CurrentOrganiser, container: ContainerDep
) -> list[VoucherOut]:
    """Create `count` codes at once (unguessable, 100 bits each)."""
    return [VoucherOut.of(v) for v in await container.vouchers.create(show_id, body.spec())]


@admin.get("/shows/{show_id}/vouchers", response_model=list[VoucherOut])
async def list_vouchers(show_id: str, _: CurrentOrganiser, container: ContainerDep) -> list[VoucherOut]:
    """The show's vouchers, newest first, each with its uses (pending or paid orders, presale unlocks)."""
    return [VoucherOut.of(v, uses) for v, uses in await container.vouchers.list(show_id)]

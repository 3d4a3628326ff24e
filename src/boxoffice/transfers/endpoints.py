"""POST /api/v1/tickets/{code}/transfer."""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.transfers.schemas import TransferIn, TransferOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["after the sale"])


@router.post("/tickets/{code}/transfer", status_code=201, response_model=TransferOut)
async def transfer(
    code: str, body: TransferIn, account: CurrentAccount, container: ContainerDep,
    idempotency_key: IdempotencyKey = None,
) -> TransferOut:  # fmt: skip
    """Give a ticket to another account (by email): the receiver gets a new code, yours is void."""
    return TransferOut.of(await container.transfers.transfer(account, code, body.email, idempotency_key))

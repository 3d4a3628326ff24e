"""Refunds: a fan's request, an organiser's refund, a show's cancellation."""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.refunds.schemas import CancellationOut, RefundOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser, IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["after the sale"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.post("/orders/{order_id}/refund", status_code=201, response_model=RefundOut)
async def request_refund(
    order_id: str, account: CurrentAccount, container: ContainerDep, idempotency_key: IdempotencyKey = None
) -> RefundOut:
    """Give back the tickets of your order you still hold, where the organiser allows it."""
    return RefundOut.of(await container.refunds.request(account, order_id, idempotency_key))


@router.get("/orders/{order_id}/refunds", response_model=list[RefundOut])
async def order_refunds(order_id: str, account: CurrentAccount, container: ContainerDep) -> list[RefundOut]:
    return [RefundOut.of(r) for r in await container.refunds.of_order(account, order_id)]


@admin.post("/orders/{order_id}/refund", status_code=201, response_model=RefundOut)
async def refund_order(
    order_id: str, organiser: CurrentOrganiser, container: ContainerDep, idempotency_key: IdempotencyKey = None
) -> RefundOut:
    return RefundOut.of(await container.refunds.refund_order(organiser, order_id, idempotency_key))


@admin.post("/shows/{show_id}/cancel", response_model=CancellationOut)
async def cancel_show(
    show_id: str, organiser: CurrentOrganiser, container: ContainerDep, idempotency_key: IdempotencyKey = None
) -> CancellationOut:
    """Cancel a show: every paid order refunded, tickets void, sales closed."""
    return CancellationOut.of(await container.refunds.cancel_show(organiser, show_id, idempotency_key))

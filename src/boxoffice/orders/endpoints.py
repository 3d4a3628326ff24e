"""/api/v1/orders and /api/v1/tickets (check-in and the live code: checkin/endpoints.py)."""

from __future__ import annotations

from fastapi import APIRouter

from fastapi.responses import Response

from boxoffice.orders.domain import OrderStatus
from boxoffice.orders.schemas import OrderIn, OrderOut, TicketDetailOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["orders"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])  # check-in moved to checkin/endpoints.py


@router.post(
    "/orders", status_code=201, response_model=OrderOut,
    responses={202: {"model": OrderOut, "description": "pending: pay the Pix QR code before its deadline"}},
)  # fmt: skip
async def create_order(
    body: OrderIn,
    account: CurrentAccount,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> OrderOut:
    if body.voucher:
        await container.limits.hit("presale", account.id)  # code attempts: vouchers and presale codes
    payment = body.payment.model_dump()
    order = await container.orders.create(account, body.hold_id, payment, idempotency_key, body.voucher)
    if order.status is OrderStatus.PENDING:
        response.status_code = 202
    return OrderOut.of(order)


@router.get("/orders", response_model=list[OrderOut])
async def list_orders(account: CurrentAccount, container: ContainerDep) -> list[OrderOut]:
    return [OrderOut.of(o) for o in await container.orders.history(account)]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: str, account: CurrentAccount, container: ContainerDep) -> OrderOut:
    return OrderOut.of(await container.orders.get(account, order_id))


@router.get("/tickets/{code}", response_model=TicketDetailOut)
async def get_ticket(code: str, account: CurrentAccount, container: ContainerDep) -> TicketDetailOut:
    return TicketDetailOut.of(await container.orders.ticket(account, code))

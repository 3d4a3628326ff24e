"""/api/v1/orders, /api/v1/tickets and organiser check-in."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.orders.domain import OrderStatus

from boxoffice.orders.qr import qr_svg
from boxoffice.orders.schemas import CheckInIn, OrderIn, OrderOut, TicketDetailOut, TicketOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, CurrentOrganiser, IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["orders"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


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
    order = await container.orders.create(account, body.hold_id, body.payment, idempotency_key)
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


@router.get("/tickets/{code}/qr.svg", response_class=Response)
async def ticket_qr(code: str, account: CurrentAccount, container: ContainerDep) -> Response:
    ticket = await container.orders.ticket(account, code)
    return Response(qr_svg(ticket.code), media_type="image/svg+xml")


@admin.post("/checkin", response_model=TicketOut)
async def check_in(body: CheckInIn, _: CurrentOrganiser, container: ContainerDep) -> TicketOut:
    return TicketOut.of(await container.orders.check_in(body.code.strip()))

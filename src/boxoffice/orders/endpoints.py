"""/api/v1/orders and /api/v1/tickets (check-in and the live code: checkin/endpoints.py).

`POST /api/v1/orders` with a bearer token is half of every purchase: the
fast-path layer (web/fastpath.py) answers it with `direct_orders` below,
outside FastAPI's routing and dependency resolution, through the same
`answer_order` the route uses (as holds are answered).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.types import Scope

from boxoffice.accounts.domain import Account
from boxoffice.bootstrap import Container
from boxoffice.orders.domain import OrderStatus
from boxoffice.orders.schemas import OrderIn, OrderOut, TicketDetailOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, IdempotencyKey, answer_directly
from boxoffice.web.fastpath import DirectOrder

router = APIRouter(prefix="/api/v1", tags=["orders"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])  # check-in moved to checkin/endpoints.py


@router.post(
    "/orders", status_code=201, response_model=OrderOut,
    responses={202: {"model": OrderOut, "description": "pending: pay the Pix QR code before its deadline"}},
)  # fmt: skip
async def create_order(
    body: OrderIn, account: CurrentAccount, container: ContainerDep, idempotency_key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    return await answer_order(container, account, body, idempotency_key)


async def answer_order(container: Container, account: Account, body: OrderIn, idempotency_key: str | None) -> Response:
    """Pay for a hold: 201 with the paid order, or 202 while an asynchronous
    payment (Pix) is pending; serialised once, not validated again against
    the route's response_model, which documents the shape."""
    if body.voucher:
        await container.limits.hit("presale", account.id)  # code attempts: vouchers and presale codes
    payment = body.payment.model_dump()
    order = await container.orders.create(account, body.hold_id, payment, idempotency_key, body.voucher)
    status = 202 if order.status is OrderStatus.PENDING else 201
    return Response(OrderOut.of(order).model_dump_json(), status_code=status, media_type="application/json")


def direct_orders(container: Container) -> DirectOrder:
    """`POST /api/v1/orders` for a bearer token, outside FastAPI: the same
    authentication, order and error answers as the route."""

    async def create(scope: Scope, token: str, body: OrderIn, idempotency_key: str | None) -> Response:
        return await answer_directly(
            container, scope, token, lambda account: answer_order(container, account, body, idempotency_key)
        )

    return create


@router.get("/orders", response_model=list[OrderOut])
async def list_orders(account: CurrentAccount, container: ContainerDep) -> list[OrderOut]:
    return [OrderOut.of(o) for o in await container.orders.history(account)]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: str, account: CurrentAccount, container: ContainerDep) -> OrderOut:
    return OrderOut.of(await container.orders.get(account, order_id))


@router.get("/tickets/{code}", response_model=TicketDetailOut)
async def get_ticket(code: str, account: CurrentAccount, container: ContainerDep) -> TicketDetailOut:
    return TicketDetailOut.of(await container.orders.ticket(account, code))

"""/api/v1/resale: list tickets, browse a show's listings, buy one, withdraw yours."""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.orders.schemas import OrderOut
from boxoffice.resale.schemas import BuyIn, ListingIn, ListingOut, PurchaseOut
from boxoffice.web.deps import ContainerDep, CurrentAccount, IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["after the sale"])


@router.post("/resale/listings", status_code=201, response_model=list[ListingOut])
async def list_tickets(body: ListingIn, account: CurrentAccount, container: ContainerDep) -> list[ListingOut]:
    listings = await container.resale.list_tickets(account, body.ticket_codes, body.price_cents)
    return [ListingOut.of(x) for x in listings]


@router.get("/resale/listings", response_model=list[ListingOut])
async def my_listings(account: CurrentAccount, container: ContainerDep) -> list[ListingOut]:
    return [ListingOut.of(x) for x in await container.resale.mine(account)]


@router.delete("/resale/listings/{listing_id}", response_model=ListingOut)
async def withdraw(listing_id: str, account: CurrentAccount, container: ContainerDep) -> ListingOut:
    return ListingOut.of(await container.resale.withdraw(account, listing_id))


@router.get("/shows/{show_id}/resale", response_model=list[ListingOut])
async def show_listings(show_id: str, container: ContainerDep) -> list[ListingOut]:
    return [ListingOut.of(x) for x in await container.resale.available(show_id)]


@router.post("/resale/listings/{listing_id}/buy", status_code=201, response_model=PurchaseOut)
async def buy(
    listing_id: str, body: BuyIn, account: CurrentAccount, container: ContainerDep,
    idempotency_key: IdempotencyKey = None,
) -> PurchaseOut:  # fmt: skip
    bought = await container.resale.buy(account, listing_id, body.payment, idempotency_key)
    return PurchaseOut(listing=ListingOut.of(bought.listing), order=OrderOut.of(bought.order))

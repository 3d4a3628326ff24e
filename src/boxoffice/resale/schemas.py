"""Resale API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.orders.schemas import OrderOut
from boxoffice.resale.domain import Listing


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_codes: list[str] = Field(min_length=1, max_length=10)
    price_cents: int = Field(gt=0, description="Per ticket; at most the organiser's cap")


class BuyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payment: dict[str, Any]


class ListingOut(BaseModel):
    listing_id: str
    show_id: str
    section_id: str
    section: str
    seat: str | None
    price_cents: int
    status: str
    created_at: datetime

    @classmethod
    def of(cls, x: Listing) -> ListingOut:
        return cls(
            listing_id=x.id, show_id=x.show_id, section_id=x.section_id, section=x.section_name,
            seat=x.seat_label, price_cents=x.price_cents, status=x.status.value, created_at=x.created_at,
        )  # fmt: skip


class PurchaseOut(BaseModel):
    listing: ListingOut
    order: OrderOut

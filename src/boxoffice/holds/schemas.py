"""Hold API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.holds.domain import MAX_SEAT_ID, Hold, HoldRequest
from boxoffice.inventory.domain import Seat


class HoldIn(BaseModel):
    """`quantity` (general admission; on numbered seats: the best free
    adjacent seats, picked for you) or `seat_ids` (numbered seats you chose)."""

    model_config = ConfigDict(extra="forbid")
    show_id: str = Field(min_length=1, max_length=64)
    section_id: str = Field(min_length=1, max_length=64)
    quantity: int | None = Field(default=None, strict=True, ge=1, le=1000)
    seat_ids: list[Annotated[int, Field(ge=1, le=MAX_SEAT_ID)]] | None = Field(
        default=None, min_length=1, max_length=100
    )

    def request(self) -> HoldRequest:
        return HoldRequest(
            show_id=self.show_id,
            section_id=self.section_id,
            quantity=self.quantity,
            seat_ids=tuple(self.seat_ids) if self.seat_ids is not None else None,
        )


class HoldItemOut(BaseModel):
    section_id: str
    seat_id: int | None = None
    seat: str | None = None


class HoldOut(BaseModel):
    hold_id: str
    status: str
    show_id: str
    section_id: str
    quantity: int
    created_at: datetime
    expires_at: datetime
    seconds_left: int
    items: list[HoldItemOut]

    @classmethod
    def of(cls, hold: Hold, now: datetime, seats: dict[int, Seat]) -> HoldOut:
        if hold.seat_ids:
            known = dict(zip(hold.seat_ids, hold.seat_labels, strict=False))
            items = [
                HoldItemOut(
                    section_id=hold.section_id,
                    seat_id=seat_id,
                    seat=seats[seat_id].label if seat_id in seats else known.get(seat_id),
                )
                for seat_id in hold.seat_ids
            ]
        else:
            items = [HoldItemOut(section_id=hold.section_id) for _ in range(hold.quantity)]
        return cls(
            hold_id=hold.id, status=hold.status_at(now).value, show_id=hold.show_id,
            section_id=hold.section_id, quantity=hold.quantity, created_at=hold.created_at,
            expires_at=hold.expires_at,
            seconds_left=max(int((hold.expires_at - now).total_seconds()), 0)
            if hold.is_live(now) else 0,
            items=items,
        )  # fmt: skip


class LiveHoldOut(BaseModel):
    hold_id: str
    expires_at: datetime
    seconds_left: int

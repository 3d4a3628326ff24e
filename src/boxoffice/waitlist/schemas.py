"""Waiting-list API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.waitlist.domain import Entry, ListStats


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    section_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=100)


class EntryOut(BaseModel):
    show_id: str
    section_id: str
    quantity: int
    status: str
    position: int | None
    joined_at: datetime
    hold_id: str | None
    offer_expires_at: datetime | None

    @classmethod
    def of(cls, e: Entry, position: int | None) -> EntryOut:
        offered = e.status.value == "offered"
        return cls(
            show_id=e.show_id, section_id=e.section_id, quantity=e.quantity, status=e.status.value,
            position=position, joined_at=e.joined_at, hold_id=e.hold_id if offered else None,
            offer_expires_at=e.offer_expires_at if offered else None,
        )  # fmt: skip


class ListStatsOut(BaseModel):
    section_id: str
    waiting: int
    offers_out: int
    bought: int
    lapsed: int
    skipped: int

    @classmethod
    def of(cls, s: ListStats) -> ListStatsOut:
        return cls(section_id=s.section_id, waiting=s.waiting, offers_out=s.offers_out, bought=s.bought,
                   lapsed=s.lapsed, skipped=s.skipped)  # fmt: skip

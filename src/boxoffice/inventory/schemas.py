"""Inventory API shapes (shows, sections, seats, availability, stats)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boxoffice.inventory.domain import (
    Availability,
    RowSpec,
    Seat,
    Section,
    SectionKind,
    SectionSpec,
    SectionStats,
    Show,
    ShowSpec,
)

MAX_CENTS = 100_000_000
TZ_HELP = "The venue's IANA time zone (e.g. America/Sao_Paulo); times are shown in it."


class RowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=8)
    seats: int = Field(strict=True, ge=1, le=500)


class SectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["ga", "seated"]
    price_cents: int = Field(strict=True, ge=0, le=MAX_CENTS)
    capacity: int | None = Field(default=None, strict=True, ge=1, le=200_000)
    rows: list[RowIn] = Field(default_factory=list, max_length=500)

    def spec(self) -> SectionSpec:
        return SectionSpec(
            name=self.name,
            kind=SectionKind(self.kind),
            price_cents=self.price_cents,
            capacity=self.capacity,
            rows=tuple(RowSpec(r.label, r.seats) for r in self.rows),
        )

    @classmethod
    def of(cls, spec: SectionSpec) -> SectionIn:
        return cls(
            name=spec.name, kind=spec.kind.value, price_cents=spec.price_cents,
            capacity=spec.capacity if spec.kind is SectionKind.GA else None,
            rows=[RowIn(label=r.label, seats=r.seats) for r in spec.rows],
        )  # fmt: skip


class ShowIn(BaseModel):
    """A whole show; also the format of `boxoffice show import/export`."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    venue: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    sale_opens_at: AwareDatetime
    sale_closes_at: AwareDatetime
    per_account_limit: int = Field(default=4, strict=True, ge=1, le=100)
    currency: str = Field(default="BRL", min_length=3, max_length=3)
    sections: list[SectionIn] = Field(default_factory=list, max_length=100)
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description=TZ_HELP)

    def spec(self) -> ShowSpec:
        return ShowSpec(
            self.name, self.venue, self.starts_at, self.sale_opens_at, self.sale_closes_at,
            self.per_account_limit, self.currency, tuple(s.spec() for s in self.sections),
            self.timezone,
        )  # fmt: skip

    @classmethod
    def of(cls, spec: ShowSpec) -> ShowIn:
        return cls(
            name=spec.name, venue=spec.venue, starts_at=spec.starts_at,
            sale_opens_at=spec.sale_opens_at, sale_closes_at=spec.sale_closes_at,
            per_account_limit=spec.per_account_limit, currency=spec.currency,
            sections=[SectionIn.of(s) for s in spec.sections], timezone=spec.timezone,
        )  # fmt: skip


class ShowPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    venue: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: AwareDatetime | None = None
    sale_opens_at: AwareDatetime | None = None
    sale_closes_at: AwareDatetime | None = None
    per_account_limit: int | None = Field(default=None, strict=True, ge=1, le=100)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    timezone: str | None = Field(default=None, min_length=1, max_length=64, description=TZ_HELP)


class SectionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    price_cents: int | None = Field(default=None, strict=True, ge=0, le=MAX_CENTS)
    capacity: int | None = Field(default=None, strict=True, ge=1, le=200_000)


class SectionOut(BaseModel):
    id: str
    name: str
    kind: str
    price_cents: int
    capacity: int

    @classmethod
    def of(cls, s: Section) -> SectionOut:
        return cls(
            id=s.id, name=s.name, kind=s.kind.value, price_cents=s.price_cents, capacity=s.capacity
        )


class ShowOut(BaseModel):
    id: str
    name: str
    venue: str
    starts_at: datetime
    sale_opens_at: datetime
    sale_closes_at: datetime
    sale_status: str
    per_account_limit: int
    currency: str
    timezone: str
    sections: list[SectionOut]

    @classmethod
    def of(cls, show: Show, now: datetime) -> ShowOut:
        return cls(
            id=show.id, name=show.name, venue=show.venue, starts_at=show.starts_at,
            sale_opens_at=show.sale_opens_at, sale_closes_at=show.sale_closes_at,
            sale_status=show.sale_status(now).value, per_account_limit=show.per_account_limit,
            currency=show.currency, timezone=show.timezone,
            sections=[SectionOut.of(s) for s in show.sections],
        )  # fmt: skip


class AvailabilityOut(BaseModel):
    section_id: str
    name: str
    kind: str
    price_cents: int
    capacity: int
    available: int
    sold_out: bool

    @classmethod
    def of(cls, a: Availability) -> AvailabilityOut:
        return cls(
            section_id=a.section_id, name=a.name, kind=a.kind.value, price_cents=a.price_cents,
            capacity=a.capacity, available=a.available, sold_out=a.available == 0,
        )  # fmt: skip


class ShowAvailabilityOut(BaseModel):
    show_id: str
    sale_status: str
    as_of: datetime
    sections: list[AvailabilityOut]


class SeatOut(BaseModel):
    id: int
    row: str
    number: int
    label: str
    status: str

    @classmethod
    def of(cls, seat: Seat) -> SeatOut:
        return cls(
            id=seat.id, row=seat.row_label, number=seat.number, label=seat.label,
            status=seat.status.value,
        )  # fmt: skip


class SeatMapOut(BaseModel):
    section_id: str
    name: str
    seats: list[SeatOut]


class SectionStatsOut(BaseModel):
    section_id: str
    name: str
    capacity: int
    sold: int
    held: int
    available: int
    revenue_cents: int

    @classmethod
    def of(cls, s: SectionStats) -> SectionStatsOut:
        a = s.availability
        return cls(
            section_id=a.section_id, name=a.name, capacity=a.capacity, sold=a.sold, held=a.held,
            available=a.available, revenue_cents=s.revenue_cents,
        )  # fmt: skip


class StatsOut(BaseModel):
    show_id: str
    currency: str
    as_of: datetime
    sections: list[SectionStatsOut]
    sold: int
    held: int
    available: int
    revenue_cents: int

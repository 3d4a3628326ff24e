"""Shows, sections, seats and sale windows: pure rules, no framework.

A section is either general admission (a capacity) or numbered seats (rows of
seats, each with an id); its capacity is then its number of seats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from boxoffice.errors import InvalidRequest, NotFound, SaleNotOpen

MAX_SECTION_CAPACITY = 200_000
MAX_SEATS_PER_ROW = 500


class SectionKind(StrEnum):
    GA = "ga"
    SEATED = "seated"


class SaleStatus(StrEnum):
    UPCOMING = "upcoming"
    ON_SALE = "on_sale"
    CLOSED = "closed"


class SeatStatus(StrEnum):
    FREE = "free"
    HELD = "held"
    SOLD = "sold"


@dataclass(frozen=True, slots=True)
class RowSpec:
    label: str
    seats: int


@dataclass(frozen=True, slots=True)
class SectionSpec:
    name: str
    kind: SectionKind
    price_cents: int
    capacity: int | None = None
    rows: tuple[RowSpec, ...] = ()

    def seat_count(self) -> int:
        return sum(row.seats for row in self.rows)

    def validated(self) -> SectionSpec:
        if not self.name.strip():
            raise InvalidRequest("A section needs a name.", field="name")
        if self.price_cents < 0:
            raise InvalidRequest("A price cannot be negative.", field="price_cents")
        if self.kind is SectionKind.GA:
            if self.rows:
                raise InvalidRequest(
                    f"Section {self.name!r} is general admission: give a capacity, not rows."
                )
            if self.capacity is None or not 1 <= self.capacity <= MAX_SECTION_CAPACITY:
                raise InvalidRequest(
                    f"Section {self.name!r} needs a capacity from 1 to {MAX_SECTION_CAPACITY}.",
                    field="capacity",
                )
            return self
        if not self.rows:
            raise InvalidRequest(f"Section {self.name!r} has numbered seats: give its rows.")
        labels = [row.label.strip() for row in self.rows]
        if any(not label for label in labels) or len(set(labels)) != len(labels):
            raise InvalidRequest(f"Row labels in {self.name!r} must be non-empty and unique.")
        if any(not 1 <= row.seats <= MAX_SEATS_PER_ROW for row in self.rows):
            raise InvalidRequest(f"A row has 1 to {MAX_SEATS_PER_ROW} seats.")
        if self.seat_count() > MAX_SECTION_CAPACITY:
            raise InvalidRequest(f"A section has at most {MAX_SECTION_CAPACITY} seats.")
        if self.capacity is not None and self.capacity != self.seat_count():
            raise InvalidRequest(
                f"Section {self.name!r}: capacity must equal its number of seats or be left out."
            )
        return SectionSpec(self.name, self.kind, self.price_cents, self.seat_count(), self.rows)


@dataclass(frozen=True, slots=True)
class ShowSpec:
    name: str
    venue: str
    starts_at: datetime
    sale_opens_at: datetime
    sale_closes_at: datetime
    per_account_limit: int
    currency: str
    sections: tuple[SectionSpec, ...] = ()
    timezone: str = "UTC"

    def validated(self) -> ShowSpec:
        check_show_fields(
            self.name, self.venue, self.starts_at, self.sale_opens_at, self.sale_closes_at,
            self.per_account_limit, self.currency, self.timezone,
        )  # fmt: skip
        names = [section.name.strip() for section in self.sections]
        if len(set(names)) != len(names):
            raise InvalidRequest("Section names within a show must be unique.")
        return ShowSpec(
            self.name.strip(), self.venue.strip(), self.starts_at, self.sale_opens_at,
            self.sale_closes_at, self.per_account_limit, self.currency.upper(),
            tuple(section.validated() for section in self.sections), self.timezone,
        )  # fmt: skip


def check_show_fields(
    name: str,
    venue: str,
    starts_at: datetime,
    sale_opens_at: datetime,
    sale_closes_at: datetime,
    per_account_limit: int,
    currency: str,
    timezone: str = "UTC",
) -> None:
    if not name.strip() or not venue.strip():
        raise InvalidRequest("A show needs a name and a venue.")
    if sale_opens_at >= sale_closes_at:
        raise InvalidRequest("The sale must open before it closes.", field="sale_closes_at")
    if sale_closes_at > starts_at:
        raise InvalidRequest("The sale must close by the time the show starts.")
    if not 1 <= per_account_limit <= 100:
        raise InvalidRequest("The per-account limit is 1 to 100 tickets.")
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidRequest("Currency is a three-letter ISO code such as BRL.", field="currency")
    if not is_time_zone(timezone):
        raise InvalidRequest("The time zone is an IANA name such as America/Sao_Paulo.", field="timezone")


def is_time_zone(name: str) -> bool:
    """An IANA zone name the system knows ("UTC", "America/Sao_Paulo")."""
    if not name or name != name.strip() or name.startswith(("/", ".")):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def time_zones() -> list[str]:
    """Every IANA zone name, sorted (the organiser's choice list)."""
    return sorted(available_timezones() | {"UTC"})


@dataclass(slots=True)
class Section:
    id: str
    show_id: str
    name: str
    kind: SectionKind
    price_cents: int
    capacity: int
    sold_count: int = 0
    held_count: int = 0
    position: int = 0


@dataclass(slots=True)
class Show:
    id: str
    name: str
    venue: str
    starts_at: datetime
    sale_opens_at: datetime
    sale_closes_at: datetime
    per_account_limit: int
    currency: str
    created_at: datetime
    sections: list[Section] = field(default_factory=list)
    timezone: str = "UTC"  # the venue's IANA zone: times are shown (and entered) in it
    poster_version: str | None = None  # an uploaded poster's version (its URL changes with it)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise NotFound(f"Section {section_id} is not part of this show.")

    def sale_status(self, now: datetime) -> SaleStatus:
        if now < self.sale_opens_at:
            return SaleStatus.UPCOMING
        if now >= self.sale_closes_at:
            return SaleStatus.CLOSED
        return SaleStatus.ON_SALE

    def check_on_sale(self, now: datetime) -> None:
        status = self.sale_status(now)
        if status is SaleStatus.UPCOMING:
            raise SaleNotOpen(f"The sale opens at {self.sale_opens_at.isoformat()}.")
        if status is SaleStatus.CLOSED:
            raise SaleNotOpen("The sale for this show has closed.")


@dataclass(frozen=True, slots=True)
class Seat:
    id: int
    section_id: str
    row_label: str
    number: int
    status: SeatStatus = SeatStatus.FREE

    @property
    def label(self) -> str:
        return f"{self.row_label}-{self.number}"


@dataclass(frozen=True, slots=True)
class Availability:
    section_id: str
    name: str
    kind: SectionKind
    price_cents: int
    capacity: int
    sold: int
    held: int

    @property
    def available(self) -> int:
        return max(self.capacity - self.sold - self.held, 0)


@dataclass(frozen=True, slots=True)
class SectionStats:
    availability: Availability
    revenue_cents: int


@dataclass(frozen=True, slots=True)
class AvailabilitySnapshot:
    """Availability of a show's sections as of a moment. It stays exact until
    `exact_until` (the next live hold's expiry) unless a sale, hold or edit
    happens first; caches use that to know when to look again."""

    sections: list[Availability]
    as_of: datetime
    exact_until: datetime | None

    def section(self, section_id: str) -> Availability | None:
        return next((a for a in self.sections if a.section_id == section_id), None)

    def is_exact_at(self, now: datetime) -> bool:
        return self.exact_until is None or now < self.exact_until

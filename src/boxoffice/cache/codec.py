"""JSON encodings of what the caches keep (shows, availability, seat maps, accounts)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from boxoffice.accounts.domain import Account, Role
from boxoffice.inventory.domain import (
    Availability,
    AvailabilitySnapshot,
    Seat,
    SeatStatus,
    Section,
    SectionKind,
    Show,
)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def show_to_json(show: Show) -> bytes:
    return dump({
        "id": show.id, "name": show.name, "venue": show.venue,
        "starts_at": _iso(show.starts_at), "sale_opens_at": _iso(show.sale_opens_at),
        "sale_closes_at": _iso(show.sale_closes_at), "per_account_limit": show.per_account_limit,
        "currency": show.currency, "created_at": _iso(show.created_at),
        "timezone": show.timezone, "poster_version": show.poster_version,
        "sections": [
            [s.id, s.name, s.kind.value, s.price_cents, s.capacity, s.position]
            for s in show.sections
        ],
    })  # fmt: skip


def show_from_json(raw: bytes) -> Show:
    d = json.loads(raw)
    return Show(
        id=d["id"], name=d["name"], venue=d["venue"], starts_at=_dt(d["starts_at"]),  # type: ignore[arg-type]
        sale_opens_at=_dt(d["sale_opens_at"]), sale_closes_at=_dt(d["sale_closes_at"]),  # type: ignore[arg-type]
        per_account_limit=d["per_account_limit"], currency=d["currency"],
        created_at=_dt(d["created_at"]),  # type: ignore[arg-type]
        timezone=d.get("timezone", "UTC"), poster_version=d.get("poster_version"),
        sections=[
            Section(id=i, show_id=d["id"], name=n, kind=SectionKind(k), price_cents=p,
                    capacity=c, position=pos)
            for i, n, k, p, c, pos in d["sections"]
        ],
    )  # fmt: skip


def availability_to_json(snapshot: AvailabilitySnapshot) -> bytes:
    return dump({
        "as_of": _iso(snapshot.as_of), "exact_until": _iso(snapshot.exact_until),
        "sections": [
            [a.section_id, a.name, a.kind.value, a.price_cents, a.capacity, a.sold, a.held]
            for a in snapshot.sections
        ],
    })  # fmt: skip


def availability_from_json(raw: bytes) -> AvailabilitySnapshot:
    d = json.loads(raw)
    return AvailabilitySnapshot(
        sections=[
            Availability(i, n, SectionKind(k), p, c, sold, held)
            for i, n, k, p, c, sold, held in d["sections"]
        ],
        as_of=_dt(d["as_of"]),  # type: ignore[arg-type]
        exact_until=_dt(d["exact_until"]),
    )


def seats_to_json(seats: list[Seat], exact_until: datetime | None) -> bytes:
    return dump({
        "exact_until": _iso(exact_until),
        "seats": [[s.id, s.row_label, s.number, s.status.value] for s in seats],
    })  # fmt: skip


def seats_from_json(raw: bytes, section_id: str) -> tuple[list[Seat], datetime | None]:
    d = json.loads(raw)
    seats = [Seat(i, section_id, r, n, SeatStatus(st)) for i, r, n, st in d["seats"]]
    return seats, _dt(d["exact_until"])


def account_to_json(account: Account, session_expires_at: datetime) -> bytes:
    return dump({
        "id": account.id, "email": account.email, "name": account.name,
        "role": account.role.value, "created_at": _iso(account.created_at), "language": account.language,
        "session_expires_at": _iso(session_expires_at),
    })  # fmt: skip


def account_from_json(raw: bytes) -> tuple[Account, datetime]:
    d = json.loads(raw)
    account = Account(
        d["id"], d["email"], d["name"], Role(d["role"]), _dt(d["created_at"]),  # type: ignore[arg-type]
        language=str(d.get("language", "en")),
    )
    return account, _dt(d["session_expires_at"])  # type: ignore[return-value]

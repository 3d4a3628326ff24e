"""Resale listings in SQL. Reservation, sale and withdrawal are conditional
UPDATEs: the row count says which buyer (or the seller) won."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.audit.domain import Action, AuditEvent, AuditLog, Entity
from boxoffice.resale.domain import Listing, ListingStatus
from boxoffice.storage.tables import resale_listings, seats, sections, tickets

L = resale_listings
OPEN = ListingStatus.OPEN.value


def _listing(row) -> Listing:  # type: ignore[no-untyped-def]
    return Listing(
        id=row.id, ticket_id=row.ticket_id, seller_id=row.seller_id, show_id=row.show_id,
        section_id=row.section_id, price_cents=row.price_cents, status=ListingStatus(row.status),
        created_at=row.created_at, updated_at=row.updated_at, buyer_id=row.buyer_id,
        reserved_until=row.reserved_until, order_id=row.order_id, new_ticket_id=row.new_ticket_id,
        section_name=row.section_name,
        seat_label=f"{row.row_label}-{row.number}" if row.row_label is not None else None,
    )  # fmt: skip


def _query():  # type: ignore[no-untyped-def]
    return (
        select(L, sections.c.name.label("section_name"), seats.c.row_label, seats.c.number)
        .join(sections, sections.c.id == L.c.section_id)
        .join(tickets, tickets.c.id == L.c.ticket_id)
        .outerjoin(seats, seats.c.id == tickets.c.seat_id)
    )


def _free(now: datetime) -> Any:
    return or_(L.c.reserved_until.is_(None), L.c.reserved_until <= now)


class ListingRepository:
    def __init__(self, conn: AsyncConnection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    def _event(self, listing: Listing, action: Action, at: datetime, account_id: str, **detail: Any) -> None:
        self._audit.add(AuditEvent(
            at=at, entity=Entity.LISTING, entity_id=listing.id, action=action, show_id=listing.show_id,
            section_id=listing.section_id, account_id=account_id, quantity=1,
            detail={"ticket_id": listing.ticket_id, "price_cents": listing.price_cents, **detail},
        ))  # fmt: skip

    async def add(self, listing: Listing) -> None:
        await self._conn.execute(
            insert(L).values(
                id=listing.id, ticket_id=listing.ticket_id, live_ticket=listing.ticket_id,
                seller_id=listing.seller_id, show_id=listing.show_id, section_id=listing.section_id,
                price_cents=listing.price_cents, status=OPEN, created_at=listing.created_at,
                updated_at=listing.updated_at,
            )
        )  # fmt: skip
        self._event(listing, Action.LISTED, listing.created_at, listing.seller_id)

    async def get(self, listing_id: str) -> Listing | None:
        row = (await self._conn.execute(_query().where(L.c.id == listing_id))).first()
        return _listing(row) if row else None

    async def available(self, show_id: str, now: datetime, viewer_id: str | None = None) -> list[Listing]:
        """Open listings nobody has reserved, and those reserved for the viewer (a waiting-list offer)."""
        visible = or_(_free(now), L.c.buyer_id == viewer_id) if viewer_id else _free(now)
        rows = await self._conn.execute(
            _query().where(L.c.show_id == show_id, L.c.status == OPEN, visible).order_by(L.c.created_at)
        )
        return [_listing(row) for row in rows]

    async def of_seller(self, seller_id: str) -> list[Listing]:
        rows = await self._conn.execute(_query().where(L.c.seller_id == seller_id).order_by(L.c.created_at.desc()))
        return [_listing(row) for row in rows]

    async def reserved_by(self, buyer_id: str, show_id: str, now: datetime) -> int:
        """Listings this buyer has reserved right now (they count against the limit)."""
        return int(await self._conn.scalar(
            select(func.count()).where(
                L.c.buyer_id == buyer_id, L.c.show_id == show_id, L.c.status == OPEN,
                L.c.reserved_until > now,
            )
        ) or 0)  # fmt: skip

    async def reserve(self, listing: Listing, buyer_id: str, key: str, now: datetime, until: datetime) -> bool:
        """Reserve an open listing for one buyer (or renew this buyer's own
        reservation: a waiting-list offer, a retry); False if another buyer
        has it. The sale checks the key, so of one buyer's two concurrent
        purchases only the last reservation's can settle."""
        result = await self._conn.execute(
            update(L)
            .where(L.c.id == listing.id, L.c.status == OPEN, or_(_free(now), L.c.buyer_id == buyer_id))
            .values(buyer_id=buyer_id, buyer_key=key, reserved_until=until, updated_at=now)
        )  # fmt: skip
        if result.rowcount != 1:
            return False
        self._event(listing, Action.RESERVED, now, buyer_id, until=until.isoformat())
        return True

    async def sell(self, listing: Listing, buyer_id: str, key: str, now: datetime,
                   order_id: str, new_ticket_id: str) -> bool:  # fmt: skip
        """OPEN -> SOLD, only while this buyer's reservation is live."""
        result = await self._conn.execute(
            update(L)
            .where(
                L.c.id == listing.id, L.c.status == OPEN, L.c.buyer_id == buyer_id,
                L.c.buyer_key == key, L.c.reserved_until > now,
            )
            .values(status=ListingStatus.SOLD.value, live_ticket=None, order_id=order_id,
                    new_ticket_id=new_ticket_id, updated_at=now)
        )  # fmt: skip
        if result.rowcount != 1:
            return False
        self._event(listing, Action.SOLD, now, buyer_id, order_id=order_id)
        return True

    async def let_go(self, listing: Listing, buyer_id: str, key: str, now: datetime) -> None:
        """A buyer's payment failed: their reservation ends now."""
        await self._conn.execute(
            update(L)
            .where(L.c.id == listing.id, L.c.status == OPEN, L.c.buyer_id == buyer_id, L.c.buyer_key == key)
            .values(reserved_until=now, updated_at=now)
        )

    async def withdraw(self, listing: Listing, now: datetime) -> bool:
        """The seller takes an open, unreserved listing back."""
        result = await self._conn.execute(
            update(L)
            .where(L.c.id == listing.id, L.c.status == OPEN, _free(now))
            .values(status=ListingStatus.WITHDRAWN.value, live_ticket=None, updated_at=now)
        )
        if result.rowcount != 1:
            return False
        self._event(listing, Action.WITHDRAWN, now, listing.seller_id)
        return True

    async def end_for_ticket(self, ticket_id: str, now: datetime) -> None:
        """The ticket was refunded: its live listing (if any) ends."""
        await self._conn.execute(
            update(L)
            .where(L.c.live_ticket == ticket_id)
            .values(status=ListingStatus.ENDED.value, live_ticket=None, updated_at=now)
        )

    async def offered_to(self, buyer_id: str, show_id: str) -> Listing | None:
        """The listing this buyer reserved or bought last in a show (a waiting-list offer's fate)."""
        row = (
            await self._conn.execute(
                _query().where(L.c.buyer_id == buyer_id, L.c.show_id == show_id).order_by(L.c.updated_at.desc()).limit(1)
            )
        ).first()
        return _listing(row) if row else None

    async def available_in(self, section_id: str, now: datetime) -> list[Listing]:
        rows = await self._conn.execute(
            _query().where(L.c.section_id == section_id, L.c.status == OPEN, _free(now)).order_by(L.c.created_at)
        )
        return [_listing(row) for row in rows]

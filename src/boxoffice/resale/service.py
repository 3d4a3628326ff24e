"""Face-value resale: list, withdraw, browse, buy.

Buying follows the hold -> order shape of a first sale, in one request:
1. under the buyer's purchase lock, check their limit and reserve the
   listing (the conditional UPDATE decides between two buyers: the loser is
   refused before anything is charged), and record a PENDING order (its id
   is the charge's idempotency key) on a hold that stands for the reservation;
2. charge, with no transaction open;
3. under the section lock, in one transaction: the seller's ticket listed ->
   void, the buyer's new ticket (new code, same place), the listing SOLD
   (only while the reservation is live), the order PAID and the seller's
   pending refund. If the reservation ran out meanwhile, the order FAILS and
   the charge is refunded.
A retry with the same Idempotency-Key answers with the settled order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from boxoffice.accounts.domain import Account
from boxoffice.audit.domain import Action
from boxoffice.clock import Clock
from boxoffice.errors import (
    HoldExpired, InvalidRequest, ListingUnavailable, NotFound, PaymentDeclined, PaymentTimeout,
    TicketNotValid,
)  # fmt: skip
from boxoffice.holds.domain import Hold, HoldStatus, check_account_limit
from boxoffice.ids import new_id
from boxoffice.notifications.domain import Kind
from boxoffice.notifications.service import notify
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.payments import Outcome, PaymentGateway
from boxoffice.orders.service import FAILURES
from boxoffice.refunds.domain import Reason, Refund, RefundStatus
from boxoffice.refunds.returns import money
from boxoffice.resale.domain import Listing, ListingStatus, check_buyer, check_listable, seller_refund
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.tickets.domain import TicketStatus

SendRefund = Callable[[Refund], Awaitable[bool]]
Listed = Callable[[str], Awaitable[int]]  # tickets of a show were listed: offer them to its waiting list


@dataclass(frozen=True, slots=True)
class Purchase:
    order: Order
    listing: Listing
    seller_refund: Refund | None = None


class ResaleService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, gateway: PaymentGateway,
        send_refund: SendRefund, reserve_minutes: float, listed: Listed | None = None,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._clock = clock
        self._gateway = gateway
        self._send_refund = send_refund
        self._reserve = timedelta(minutes=reserve_minutes)
        self.listed = listed

    async def list_tickets(self, seller: Account, codes: list[str], price_cents: int) -> list[Listing]:
        """List tickets of one show at `price_cents` each (at most the organiser's cap)."""
        if not codes or len(set(codes)) != len(codes):
            raise InvalidRequest("Give each ticket code once.", field="ticket_codes")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            tickets = [await uow.orders.ticket(code) for code in codes]
            if any(t is None or t.account_id != seller.id for t in tickets):
                raise NotFound("No such ticket.", field="ticket_codes")
            if len({t.show_id for t in tickets if t}) != 1:
                raise InvalidRequest("List tickets of one show at a time.", field="ticket_codes")
            show = await uow.shows.get(tickets[0].show_id)  # type: ignore[union-attr]
            assert show is not None
            rules = await uow.rules.get(show.id)
            listings = []
            for ticket in tickets:
                assert ticket is not None
                check_listable(ticket, seller.id)
                rules.check_listing(now, show.starts_at, price_cents, ticket.price_cents)
                if not await uow.tickets.move(ticket, [TicketStatus.VALID], TicketStatus.LISTED, now, Action.LISTED):
                    raise TicketNotValid()  # a transfer, a refund or a check-in got there first
                listing = Listing(new_id(), ticket.id, seller.id, show.id, ticket.section_id, price_cents,
                                  status=ListingStatus.OPEN,
                                  created_at=now, updated_at=now, section_name=ticket.section_name,
                                  seat_label=ticket.seat_label)  # fmt: skip
                await uow.listings.add(listing)
                listings.append(listing)
            await uow.commit()
        if self.listed is not None:
            await self.listed(show.id)
        return listings

    async def withdraw(self, seller: Account, listing_id: str) -> Listing:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            listing = await uow.listings.get(listing_id)
            if listing is None or listing.seller_id != seller.id:
                raise NotFound(f"Listing {listing_id} does not exist.")
            if not await uow.listings.withdraw(listing, now):
                raise ListingUnavailable("This listing is being bought or is closed; it cannot be withdrawn now.")
            ticket = await uow.tickets.by_id(listing.ticket_id)
            assert ticket is not None
            await uow.tickets.move(ticket, [TicketStatus.LISTED], TicketStatus.VALID, now, Action.WITHDRAWN)
            await uow.commit()
        return replace(listing, status=ListingStatus.WITHDRAWN, updated_at=now)

    async def available(self, show_id: str, viewer: Account | None = None) -> list[Listing]:
        """What is on resale: open listings, and the ones reserved for `viewer` by the waiting list."""
        async with self._uow() as uow:
            if await uow.shows.get(show_id) is None:
                raise NotFound(f"Show {show_id} does not exist.")
            return await uow.listings.available(show_id, self._clock.now(), viewer.id if viewer else None)

    async def mine(self, seller: Account) -> list[Listing]:
        async with self._uow() as uow:
            return await uow.listings.of_seller(seller.id)

    async def buy(self, buyer: Account, listing_id: str, payment: dict[str, Any], key: str | None) -> Purchase:
        if not key:
            raise InvalidRequest("Send an Idempotency-Key header with every purchase.")
        if payment.get("method", "fake") != "fake":
            # A resale settles while the reservation lasts: an asynchronous
            # (Pix) payment could arrive after it, for a ticket sold to someone else.
            raise InvalidRequest("Resale takes an immediate card payment (test mode: method fake).",
                                 field="payment.method")  # fmt: skip
        self._gateway.validate(payment)
        order, listing = await self._reserve_and_open(buyer, listing_id, key)
        if order.status is OrderStatus.PAID:
            return Purchase(order, listing)
        if order.status is OrderStatus.FAILED:
            raise _failure(order)
        charge = await self._gateway.charge(order.id, order.amount_cents, order.currency, payment)
        now = self._clock.now()
        if charge.outcome is not Outcome.APPROVED:
            reason = "declined" if charge.outcome is Outcome.DECLINED else "payment_timeout"
            async with self._uow(write=True) as uow:
                await uow.orders.settle(order, OrderStatus.FAILED, now, reason=reason)
                await uow.listings.let_go(listing, buyer.id, key, now)
                await uow.commit()
            raise (PaymentDeclined if reason == "declined" else PaymentTimeout)(order_id=order.id)
        refund = await self._settle(buyer, order, listing, key, charge.reference)
        if refund is None:
            await self._gateway.refund(charge.reference)
            raise HoldExpired("The reservation ended before the payment finished; the charge was refunded.",
                              order_id=order.id)  # fmt: skip
        await self._send_refund(refund)
        async with self._uow() as uow:
            paid = await uow.orders.get(order.id)
            sold = await uow.listings.get(listing.id)
        assert paid is not None and sold is not None
        return Purchase(paid, sold, refund)

    async def _reserve_and_open(self, buyer: Account, listing_id: str, key: str) -> tuple[Order, Listing]:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            listing = await uow.listings.get(listing_id)
            if listing is None:
                raise NotFound(f"Listing {listing_id} does not exist.")
            earlier = await uow.orders.by_idempotency_key(buyer.id, key)
            if earlier is not None:
                hold = await uow.holds.get(earlier.hold_id)
                if hold is None or hold.fingerprint != f"resale:{listing.id}":
                    raise InvalidRequest("This Idempotency-Key was used for another purchase.")
                return earlier, listing
            check_buyer(listing, buyer.id)
            show = await uow.shows.get(listing.show_id)
            assert show is not None
            (await uow.rules.get(show.id)).check_open()
            await uow.lock_purchase(buyer.id, show.id)
            used = await uow.holds.tickets_used(buyer.id, show.id, now)
            used += await uow.listings.reserved_by(buyer.id, show.id, now)
            if listing.buyer_id == buyer.id and listing.is_reserved(now):
                used -= 1  # this very listing, reserved for them (a waiting-list offer)
            check_account_limit(show.per_account_limit, used, 1)
            until = now + self._reserve
            if not await uow.listings.reserve(listing, buyer.id, key, now, until):
                raise ListingUnavailable()
            # The hold an order needs: it stands for the reservation and holds
            # no inventory (the seller's ticket keeps the place until it is sold).
            hold = Hold(new_id(), buyer.id, show.id, listing.section_id, 1, HoldStatus.CONVERTED, now, until,
                        fingerprint=f"resale:{listing.id}")  # fmt: skip
            await uow.holds.add(hold)
            order = Order(new_id(), buyer.id, hold.id, show.id, OrderStatus.PENDING, listing.price_cents,
                          show.currency, key, now, now)  # fmt: skip
            await uow.orders.add(order)
            await uow.commit()
        return order, listing

    async def _settle(self, buyer: Account, order: Order, listing: Listing, key: str, reference: str) -> Refund | None:
        """Step 3; None when the reservation was lost (the order then FAILED)."""
        now = self._clock.now()
        try:
            return await self._sell(buyer, order, listing, key, reference, now)
        except _Lost:
            async with self._uow(write=True) as uow:
                await uow.orders.settle(order, OrderStatus.FAILED, now, reference=reference, reason="hold_expired")
                await uow.commit()
            return None

    async def _sell(self, buyer: Account, order: Order, listing: Listing, key: str, reference: str, now) -> Refund:  # type: ignore[no-untyped-def]
        async with self._uow(write=True) as uow:
            await uow.lock_section(listing.section_id)
            old = await uow.tickets.by_id(listing.ticket_id)
            assert old is not None
            if not await uow.tickets.move(old, [TicketStatus.LISTED], TicketStatus.VOID, now, Action.VOIDED,
                                          reason="resold", listing_id=listing.id):  # fmt: skip
                raise _Lost()
            new = await uow.tickets.reissue(old, buyer.id, now, order_id=order.id, price_cents=listing.price_cents)
            if not await uow.listings.sell(listing, buyer.id, key, now, order.id, new.id):
                raise _Lost()
            await uow.orders.settle(order, OrderStatus.PAID, now, reference=reference)
            seller_order = await uow.orders.get(old.order_id)
            assert seller_order is not None
            show = await uow.shows.get(listing.show_id)
            assert show is not None
            refund = Refund(
                id=new_id(), order_id=seller_order.id, account_id=seller_order.account_id,
                show_id=listing.show_id, amount_cents=seller_refund(listing.price_cents, old.price_cents),
                currency=seller_order.currency, reason=Reason.RESALE, status=RefundStatus.PENDING,
                requested_by=buyer.id, idempotency_key=f"resale:{listing.id}", created_at=now,
            )  # fmt: skip
            await uow.refunds.add(refund, seller_order)
            await notify(uow, listing.seller_id, Kind.RESALE_SOLD, now, show.id, show=show.name,
                                        amount=money(refund.amount_cents, refund.currency))  # fmt: skip
            await uow.commit()
        return refund


class _Lost(Exception):
    """The reservation ran out (or the ticket was refunded) before the payment settled."""


def _failure(order: Order) -> Exception:
    """The error a settled, failed order answers a retry with (as a first sale's does)."""
    return FAILURES.get(order.failure_reason or "", PaymentDeclined)(order_id=order.id)

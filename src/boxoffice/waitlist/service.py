"""The waiting list: join, leave, see your place; offers to the line (a job,
and right after tickets come back); the organiser's figures.

An offer is one transaction per fan, taking the locks in the documented
order (the fan's purchase lock, then the section): the fan's limit is read
and the tickets are taken as a hold reserved for them, with the notification.
"""

from __future__ import annotations

from datetime import timedelta

from boxoffice.accounts.domain import Account
from boxoffice.audit.domain import Action
from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.holds.service import reclaim_dead_holds
from boxoffice.ids import new_id
from boxoffice.inventory.domain import SectionKind
from boxoffice.inventory.events import InventoryListener
from boxoffice.notifications.domain import Kind
from boxoffice.notifications.service import notify
from boxoffice.resale.domain import ListingStatus
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.waitlist.domain import LIVE, Entry, EntryStatus, ListStats, check_join

OFFERED = (EntryStatus.OFFERED.value,)
WAITING = (EntryStatus.WAITING.value,)


class WaitlistService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, listener: InventoryListener) -> None:
        self._uow = uow
        self._clock = clock
        self._listener = listener

    async def join(self, fan: Account, show_id: str, section_id: str, quantity: int) -> tuple[Entry, int]:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            show = await uow.shows.get(show_id)
            if show is None:
                raise NotFound(f"Show {show_id} does not exist.")
            show.section(section_id)  # NotFound for a section of another show
            (await uow.rules.get(show_id)).check_open()
            await uow.lock_purchase(fan.id, show_id)
            existing = await uow.waitlist.of_account(fan.id, show_id)
            used = await uow.holds.tickets_used(fan.id, show_id, now)
            available = next(a.available for a in await uow.shows.availability(show_id, now) if a.section_id == section_id)
            check_join(quantity, show.per_account_limit, used, available, existing)
            entry = Entry(new_id(), show_id, section_id, fan.id, quantity, EntryStatus.WAITING, now, now)
            await uow.waitlist.join(entry, existing)
            await uow.commit()
        async with self._uow() as uow:
            entry = await uow.waitlist.of_account(fan.id, show_id)  # type: ignore[assignment]
            return entry, await uow.waitlist.position(entry)

    async def place(self, fan: Account, show_id: str) -> tuple[Entry, int | None]:
        async with self._uow() as uow:
            entry = await uow.waitlist.of_account(fan.id, show_id)
            if entry is None:
                raise NotFound("You are not on this show's waiting list.")
            position = await uow.waitlist.position(entry) if entry.status is EntryStatus.WAITING else None
        return entry, position

    async def leave(self, fan: Account, show_id: str) -> None:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            entry = await uow.waitlist.of_account(fan.id, show_id)
            if entry is None or not entry.is_live:
                raise NotFound("You are not on this show's waiting list.")
            if entry.hold_id is not None and entry.status is EntryStatus.OFFERED:
                hold = await uow.holds.get(entry.hold_id)
                await uow.lock_section(entry.section_id)
                if hold is not None and await uow.holds.finish(hold, HoldStatus.RELEASED, now):
                    await uow.shows.give_back(hold.section_id, hold.quantity)
                    await uow.shows.free_seats([hold.id])
            await uow.waitlist.set_status(entry, LIVE, EntryStatus.LEFT, now, Action.LEFT)
            await uow.commit()
        await self._listener.changed(show_id, entry.section_id)
        await self.offer(show_id)

    async def stats(self, show_id: str) -> list[ListStats]:
        async with self._uow() as uow:
            if await uow.shows.get(show_id) is None:
                raise NotFound(f"Show {show_id} does not exist.")
            return await uow.waitlist.stats(show_id)

    async def offer(self, show_id: str | None = None) -> int:
        """Settle lapsed and bought offers, then offer free tickets to the line,
        section by section, first come first served; returns how many offers went out."""
        async with self._uow() as uow:
            sections = await uow.waitlist.sections_in_line(show_id)
        made = 0
        for show, section_id in sections:
            await self._settle_offers(section_id)
            while await self._offer_listing(show, section_id) or await self._offer_next(show, section_id):
                made += 1
        return made

    async def _settle_offers(self, section_id: str) -> None:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            for entry in await uow.waitlist.offered(section_id):
                if entry.hold_id is None:  # offered a resale listing
                    listing = await uow.listings.offered_to(entry.account_id, entry.show_id)
                    if listing is not None and listing.status is ListingStatus.SOLD and listing.buyer_id == entry.account_id:
                        await uow.waitlist.set_status(entry, OFFERED, EntryStatus.BOUGHT, now, Action.CONVERTED)
                    elif listing is None or not listing.is_reserved(now):
                        await uow.waitlist.set_status(entry, OFFERED, EntryStatus.LAPSED, now, Action.EXPIRED)
                    continue
                hold = await uow.holds.get(entry.hold_id) if entry.hold_id else None
                if hold is not None and hold.status is HoldStatus.CONVERTED:
                    await uow.waitlist.set_status(entry, OFFERED, EntryStatus.BOUGHT, now, Action.CONVERTED)
                elif hold is None or not hold.is_live(now):
                    await uow.waitlist.set_status(entry, OFFERED, EntryStatus.LAPSED, now, Action.EXPIRED)
            await uow.commit()

    async def _offer_listing(self, show_id: str, section_id: str) -> bool:
        """Resale first goes to the line: the oldest open listing of the section
        is reserved for the first waiting fan for `offer_minutes` (they buy it
        like anyone else); the public sees only listings nobody in line took."""
        now = self._clock.now()
        async with self._uow() as uow:
            listings = await uow.listings.available_in(section_id, now)
            entry = await uow.waitlist.first_waiting(section_id)
        listing = next((x for x in listings if entry is not None and x.seller_id != entry.account_id), None)
        if entry is None or listing is None:
            return False
        async with self._uow(write=True) as uow:
            show = await uow.shows.get(show_id)
            assert show is not None
            rules = await uow.rules.get(show_id)
            await uow.lock_purchase(entry.account_id, show_id)
            used = await uow.holds.tickets_used(entry.account_id, show_id, now)
            if used + 1 > show.per_account_limit:
                await uow.waitlist.set_status(entry, WAITING, EntryStatus.SKIPPED, now, Action.SKIPPED, hold_id=None)
                await uow.commit()
                return True
            until = now + timedelta(minutes=rules.offer_minutes)
            if not await uow.listings.reserve(listing, entry.account_id, f"waitlist:{entry.id}", now, until):
                return False
            if not await uow.waitlist.set_status(entry, WAITING, EntryStatus.OFFERED, now, Action.OFFERED,
                                                 hold_id=None, offer_expires_at=until):  # fmt: skip
                return False
            await notify(uow, entry.account_id, Kind.OFFER, now, show_id, show=show.name, quantity=1,
                         until=until.isoformat(timespec="minutes"), listing_id=listing.id)  # fmt: skip
            await uow.commit()
        return True

    async def _offer_next(self, show_id: str, section_id: str) -> bool:
        """Offer the first waiting fan their tickets if they are free; False when
        nobody waits or not enough came back."""
        now = self._clock.now()
        async with self._uow() as uow:
            entry = await uow.waitlist.first_waiting(section_id)
        if entry is None:
            return False
        async with self._uow(write=True) as uow:
            show = await uow.shows.get(show_id)
            assert show is not None
            rules = await uow.rules.get(show_id)
            if rules.cancelled_at is not None:
                return False
            await uow.lock_purchase(entry.account_id, show_id)
            free = await uow.lock_section_free(section_id)
            if free is not None and free < entry.quantity:
                await reclaim_dead_holds(uow, section_id, now)
                free = await uow.lock_section_free(section_id)
            if free is None or free < entry.quantity:
                await uow.commit()  # the reclaimed holds stay reclaimed
                return False
            used = await uow.holds.tickets_used(entry.account_id, show_id, now)
            if used + entry.quantity > show.per_account_limit:
                await uow.waitlist.set_status(entry, WAITING, EntryStatus.SKIPPED, now, Action.SKIPPED, hold_id=None)
                await uow.commit()
                return True  # the next fan may fit
            section = show.section(section_id)
            seat_ids: tuple[int, ...] = ()
            if section.kind is SectionKind.SEATED:
                seat_ids = tuple(await uow.waitlist.free_seats(section_id, entry.quantity, now))
                if len(seat_ids) < entry.quantity:
                    return False
            until = now + timedelta(minutes=rules.offer_minutes)
            hold = Hold(new_id(), entry.account_id, show_id, section_id, entry.quantity, HoldStatus.ACTIVE,
                        now, until, fingerprint=f"waitlist:{entry.id}", seat_ids=seat_ids)  # fmt: skip
            if not await uow.shows.take(section_id, entry.quantity):
                return False
            if seat_ids and not await uow.shows.claim_seats(section_id, list(seat_ids), hold.id, until, now):
                return False
            await uow.holds.add(hold)
            if not await uow.waitlist.set_status(entry, WAITING, EntryStatus.OFFERED, now, Action.OFFERED,
                                                 hold_id=hold.id, offer_expires_at=until):  # fmt: skip
                return False  # the fan left meanwhile: nothing is written
            await notify(uow, entry.account_id, Kind.OFFER, now, show_id, show=show.name,
                                        quantity=entry.quantity, until=until.isoformat(timespec="minutes"),
                                        hold_id=hold.id)  # fmt: skip
            await uow.commit()
        await self._listener.changed(show_id, section_id)
        return True

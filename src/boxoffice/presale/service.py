"""Presale use cases: set up, register, draw, redeem a code, and the gate in
front of the queue and the hold path during the presale window."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from boxoffice import outbox
from boxoffice.accounts.domain import Account
from boxoffice.cache.local import LocalCache
from boxoffice.clock import Clock
from boxoffice.errors import (
    InvalidRequest,
    NotFound,
    PresaleClosed,
    PresaleCodeInvalid,
    PresaleCodeNotYours,
    PresaleCodeRequired,
    PresaleCodeUsed,
)
from boxoffice.holds.admission import AdmissionGate
from boxoffice.inventory.domain import Show
from boxoffice.presale.domain import (
    Phase,
    Presale,
    PresaleCode,
    check_presale_settings,
    new_code,
    new_seed,
    normalise_code,
    salt_of,
)
from boxoffice.ratelimit import RateLimits
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory
from boxoffice.vouchers.domain import VoucherInvalid, VoucherKind
from boxoffice.vouchers.service import apply_voucher
from boxoffice.waitingroom.domain import commitment_of, draw_order, pseudonym

log = logging.getLogger("boxoffice.presale")
MAX_CODES = 1_000_000


@dataclass(frozen=True, slots=True)
class FanPresale:
    """One fan's view of a presale."""

    presale: Presale
    phase: Phase
    registered: bool
    code: PresaleCode | None


class PresaleService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, limits: RateLimits, local: LocalCache
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._limits = limits
        self._local = local

    async def configure(self, show_id: str, opens, closes, general_sale_at) -> Presale:  # type: ignore[no-untyped-def]
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            show = await _show(uow, show_id)
            check_presale_settings(opens, closes, general_sale_at, show.sale_opens_at, show.sale_closes_at)
            current = await uow.presales.get(show_id)
            if current is not None and current.drawn_at is not None:
                raise PresaleClosed("The codes are drawn: the presale's dates are fixed.")
            seed = current.seed if current else new_seed()
            presale = Presale(show_id, opens, closes, general_sale_at, seed, commitment_of(seed),
                              current.created_at if current else now)  # fmt: skip
            await uow.presales.save(presale)
            await uow.commit()
        self._local.drop(show_id, "presale")  # this process sees the change at once
        return presale

    async def get(self, show_id: str) -> tuple[Presale, Show, int]:
        """The presale, its show and how many registered."""
        async with self._uow() as uow:
            presale = await uow.presales.get(show_id)
            if presale is None:
                raise NotFound("This show has no presale.")
            return presale, await _show(uow, show_id), await uow.presales.count_entrants(show_id)

    async def register(self, account: Account, show_id: str) -> tuple[FanPresale, bool]:
        """Register interest, once per account; True if this call registered."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            presale, show = await _presale(uow, show_id)
            if presale.phase(now, show.sale_opens_at) is not Phase.REGISTRATION:
                raise PresaleClosed("Registration for this presale is not open.",
                                    opens_at=presale.registration_opens_at.isoformat(),
                                    closes_at=presale.registration_closes_at.isoformat())  # fmt: skip
            new = await uow.presales.register(show_id, account.id, now)
            await uow.commit()
        return FanPresale(presale, Phase.REGISTRATION, True, None), new

    async def mine(self, account: Account, show_id: str) -> FanPresale:
        now = self._clock.now()
        async with self._uow() as uow:
            presale, show = await _presale(uow, show_id)
            registered = await uow.presales.is_registered(show_id, account.id)
            code = await uow.presales.code_of(show_id, account.id)
        return FanPresale(presale, presale.phase(now, show.sale_opens_at), registered, code)

    async def draw(self, show_id: str, codes: int) -> Presale:
        """Draw `codes` winners among the registered fans; once, after registration closed."""
        if not 1 <= codes <= MAX_CODES:
            raise InvalidRequest(f"Draw 1 to {MAX_CODES:,} codes.", field="codes")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            presale, show = await _presale(uow, show_id)
            if presale.phase(now, show.sale_opens_at) in (Phase.BEFORE, Phase.REGISTRATION, Phase.GENERAL):
                raise PresaleClosed("Codes are drawn after registration closes, before the general sale.")
            salt = salt_of(presale.seed)
            by_id = {pseudonym(salt, a): a for a in await uow.presales.entrants(show_id)}
            winners = [by_id[p] for p in draw_order(presale.seed, None, by_id)[:codes]]
            if not await uow.presales.mark_drawn(show_id, len(winners), now):
                raise PresaleClosed("The codes of this presale are already drawn.")
            drawn = [PresaleCode(new_code(), show_id, account_id, now) for account_id in winners]
            await uow.presales.add_codes(drawn)
            for code in drawn:
                await outbox.enqueue(
                    uow, kind=outbox.EMAIL_PRESALE_CODE, account_id=code.account_id, now=now,
                    dedupe_key=f"presale-code:{show_id}:{code.account_id}",
                    payload={"show_id": show_id, "code": code.code,
                             "starts_at": show.sale_opens_at.isoformat(),
                             "ends_at": presale.general_sale_at.isoformat()},
                )  # fmt: skip
            await uow.commit()
        log.info("presale %s: %d codes drawn", show_id, len(drawn))
        return (await self.get(show_id))[0]

    async def lottery(self, show_id: str) -> tuple[Presale, list[str]]:
        """After the draw: every entrant's public id in drawn order (the first
        `codes_drawn` won), to publish with the seed. Before it: nothing."""
        async with self._uow() as uow:
            presale, _show_ = await _presale(uow, show_id)
            if presale.drawn_at is None:
                return presale, []
            entrants = await uow.presales.entrants(show_id)
        salt = salt_of(presale.seed)
        return presale, draw_order(presale.seed, None, [pseudonym(salt, a) for a in entrants])

    async def redeem(self, account: Account, show_id: str, typed: str) -> PresaleCode:
        """Use a code (single-use, bound to its account): it unlocks the presale
        for this account. Every refusal writes nothing; attempts are rate-limited."""
        await self._limits.hit("presale", account.id)
        now = self._clock.now()
        code = normalise_code(typed)
        async with self._uow(write=True) as uow:
            presale, show = await _presale(uow, show_id)
            found = await uow.presales.code(code)
            if found is None:
                return await self._access_voucher(uow, account, presale, show, code, now)
            if found.show_id != show_id:
                raise PresaleCodeInvalid()
            if found.account_id != account.id:
                raise PresaleCodeNotYours()
            if found.redeemed_at is not None:
                raise PresaleCodeUsed(redeemed_at=found.redeemed_at.isoformat())
            if presale.phase(now, show.sale_opens_at) is Phase.GENERAL:
                raise PresaleClosed("The presale is over: the general sale is open to everyone.")
            if not await uow.presales.redeem(code, now):
                raise PresaleCodeUsed()
            await uow.commit()
        return PresaleCode(found.code, show_id, account.id, found.created_at, now)

    async def _access_voucher(
        self, uow: UnitOfWork, account: Account, presale: Presale, show: Show, code: str, now: datetime
    ) -> PresaleCode:  # fmt: skip
        """An organiser's access voucher opens the presale like a drawn code
        (one use of it per account that enters it)."""
        mine = await uow.presales.code_of(show.id, account.id)
        if mine is not None and mine.redeemed_at is not None:
            raise PresaleCodeUsed("Your account has already opened this presale.")
        try:
            await apply_voucher(uow, code, show.id, VoucherKind.ACCESS, account.id, None, 0, now)
        except VoucherInvalid:
            raise PresaleCodeInvalid() from None
        if presale.phase(now, show.sale_opens_at) is Phase.GENERAL:
            raise PresaleClosed("The presale is over: the general sale is open to everyone.")
        if mine is not None:
            await uow.presales.redeem(mine.code, now)
            opened = PresaleCode(mine.code, show.id, account.id, mine.created_at, now)
        else:
            opened = PresaleCode(new_code(), show.id, account.id, now, now)
            await uow.presales.add_codes([opened])
        await uow.commit()
        return opened

    async def check(self, account: Account, show_id: str) -> None:
        """The gate: during the presale window only accounts that redeemed a
        code get past. Settings are reused per process like the waiting room's;
        an unlocked account stays unlocked, so that answer is cached too."""
        now = self._clock.now()
        cached = self._local.get(show_id, "presale")
        if cached is None:
            async with self._uow() as uow:
                presale = await uow.presales.get(show_id)
                show = await uow.shows.get(show_id) if presale else None
            cached = (presale, show.sale_opens_at if show else None)
            self._local.put(show_id, "presale", cached)
        presale, sale_opens_at = cached
        if presale is None or not presale.needs_code(now, sale_opens_at):
            return
        if self._local.get(show_id, f"unlocked:{account.id}"):
            return
        async with self._uow() as uow:
            code = await uow.presales.code_of(show_id, account.id)
        if code is None or code.redeemed_at is None:
            raise PresaleCodeRequired(general_sale_at=presale.general_sale_at.isoformat())
        self._local.put(show_id, f"unlocked:{account.id}", True)


class PresaleGate:
    """The presale in front of another admission gate (the waiting room's)."""

    def __init__(self, presales: PresaleService, inner: AdmissionGate) -> None:
        self._presales = presales
        self._inner = inner

    async def check(self, account: Account, show_id: str, token: str | None) -> None:
        await self._presales.check(account, show_id)
        await self._inner.check(account, show_id, token)


async def _show(uow: UnitOfWork, show_id: str) -> Show:
    show = await uow.shows.get(show_id)
    if show is None:
        raise NotFound(f"Show {show_id} does not exist.")
    return show


async def _presale(uow: UnitOfWork, show_id: str) -> tuple[Presale, Show]:
    presale = await uow.presales.get(show_id)
    if presale is None:
        raise NotFound("This show has no presale.")
    return presale, await _show(uow, show_id)

"""Voucher use cases: bulk creation and listing (organisers), and applying a
voucher inside the transaction that creates an order or opens a presale."""

from __future__ import annotations

from datetime import datetime

from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.presale.domain import normalise_code
from boxoffice.storage.uow import UnitOfWork, UnitOfWorkFactory
from boxoffice.vouchers.domain import Voucher, VoucherInvalid, VoucherKind, VoucherSpec


class VoucherService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, show_id: str, spec: VoucherSpec) -> list[Voucher]:
        now = self._clock.now()
        spec.check(now)
        async with self._uow(write=True) as uow:
            if await uow.shows.get(show_id) is None:
                raise NotFound(f"Show {show_id} does not exist.")
            created = spec.vouchers(show_id, now)
            await uow.vouchers.add(created)
            await uow.commit()
        return created

    async def list(self, show_id: str) -> list[tuple[Voucher, int]]:
        async with self._uow() as uow:
            return await uow.vouchers.for_show(show_id)


async def apply_voucher(
    uow: UnitOfWork, typed: str, show_id: str, kind: VoucherKind, account_id: str,
    order_id: str | None, amount_cents: int, now: datetime,
) -> int:  # fmt: skip
    """Take one use of a voucher in the caller's transaction and return the
    discount in cents; raises (writing nothing) if it cannot be used. The
    voucher's lock makes concurrent uses count one after another."""
    code = normalise_code(typed)
    voucher = await uow.vouchers.locked(code)
    if voucher is None or voucher.show_id != show_id:
        raise VoucherInvalid()
    voucher.check(kind, now, await uow.vouchers.uses(code))
    discount = voucher.discount(amount_cents) if kind is VoucherKind.DISCOUNT else 0
    await uow.vouchers.use(code, account_id, order_id, discount, now)
    return discount

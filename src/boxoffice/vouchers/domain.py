"""Voucher rules, pure.

A voucher belongs to one show. DISCOUNT vouchers take `percent_off` or
`amount_off_cents` off an order (never below zero); ACCESS vouchers open the
show's presale for the account that enters one. Each has `max_uses` and an
expiry. A use is counted for every order (or presale unlock) it was applied
to that is pending or paid: a declined or expired order gives its use back
without anything having to run, as a dead hold gives back its tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import Conflict, InvalidRequest, NotFound
from boxoffice.presale.domain import new_code


class VoucherKind(StrEnum):
    DISCOUNT = "discount"
    ACCESS = "access"


class VoucherInvalid(NotFound):
    code = "voucher_invalid"
    default_message = "This voucher does not exist for this show."


class VoucherExpired(Conflict):
    code = "voucher_expired"
    default_message = "This voucher has expired."


class VoucherUsedUp(Conflict):
    code = "voucher_used_up"
    default_message = "This voucher has been used as many times as it may be."


class VoucherWrongKind(InvalidRequest):
    code = "voucher_wrong_kind"
    default_message = "This voucher cannot be used here."


@dataclass(frozen=True, slots=True)
class Voucher:
    code: str
    show_id: str
    kind: VoucherKind
    max_uses: int
    expires_at: datetime
    created_at: datetime
    label: str = ""
    percent_off: int | None = None
    amount_off_cents: int | None = None

    def check(self, kind: VoucherKind, now: datetime, uses: int) -> None:
        if self.kind is not kind:
            raise VoucherWrongKind(f"This is an {self.kind.value} voucher.")
        if now >= self.expires_at:
            raise VoucherExpired(expired_at=self.expires_at.isoformat())
        if uses >= self.max_uses:
            raise VoucherUsedUp()

    def discount(self, amount_cents: int) -> int:
        if self.percent_off is not None:
            return amount_cents * self.percent_off // 100
        return min(self.amount_off_cents or 0, amount_cents)


@dataclass(frozen=True, slots=True)
class VoucherSpec:
    kind: VoucherKind
    count: int
    max_uses: int
    expires_at: datetime
    label: str = ""
    percent_off: int | None = None
    amount_off_cents: int | None = None

    def check(self, now: datetime) -> None:
        if not 1 <= self.count <= 10_000:
            raise InvalidRequest("Create 1 to 10,000 vouchers at a time.", field="count")
        if not 1 <= self.max_uses <= 1_000_000:
            raise InvalidRequest("max_uses is 1 to 1,000,000.", field="max_uses")
        if self.expires_at <= now:
            raise InvalidRequest("The expiry must be in the future.", field="expires_at")
        if self.kind is VoucherKind.DISCOUNT:
            if (self.percent_off is None) == (self.amount_off_cents is None):
                raise InvalidRequest("A discount voucher has percent_off or amount_off_cents (one).")
            if self.percent_off is not None and not 1 <= self.percent_off <= 100:
                raise InvalidRequest("percent_off is 1 to 100.", field="percent_off")
            if self.amount_off_cents is not None and self.amount_off_cents < 1:
                raise InvalidRequest("amount_off_cents is at least 1.", field="amount_off_cents")
        elif self.percent_off is not None or self.amount_off_cents is not None:
            raise InvalidRequest("An access voucher gives no discount.")

    def vouchers(self, show_id: str, now: datetime) -> list[Voucher]:
        return [
            Voucher(new_code(), show_id, self.kind, self.max_uses, self.expires_at, now,
                    self.label, self.percent_off, self.amount_off_cents)  # fmt: skip
            for _ in range(self.count)
        ]

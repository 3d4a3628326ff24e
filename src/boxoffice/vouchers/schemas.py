"""Voucher API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boxoffice.vouchers.domain import Voucher, VoucherKind, VoucherSpec


class VouchersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: VoucherKind = Field(description="discount: money off an order; access: opens the presale")
    count: int = Field(ge=1, le=10_000, description="How many codes to create")
    max_uses: int = Field(default=1, ge=1, le=1_000_000, description="Uses per code")
    expires_at: AwareDatetime
    label: str = Field(default="", max_length=120)
    percent_off: int | None = Field(default=None, ge=1, le=100)
    amount_off_cents: int | None = Field(default=None, ge=1)

    def spec(self) -> VoucherSpec:
        return VoucherSpec(self.kind, self.count, self.max_uses, self.expires_at, self.label,
                           self.percent_off, self.amount_off_cents)  # fmt: skip


class VoucherOut(BaseModel):
    code: str
    kind: str
    percent_off: int | None
    amount_off_cents: int | None
    max_uses: int
    uses: int
    expires_at: datetime
    label: str

    @classmethod
    def of(cls, v: Voucher, uses: int = 0) -> VoucherOut:
        return cls(
            code=v.code, kind=v.kind.value, percent_off=v.percent_off,
            amount_off_cents=v.amount_off_cents, max_uses=v.max_uses, uses=uses,
            expires_at=v.expires_at, label=v.label,
        )  # fmt: skip

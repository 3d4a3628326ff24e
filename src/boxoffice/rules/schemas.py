"""After-sale rules API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boxoffice.rules.domain import MAX_CAP_PERCENT


class RulesPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transfers_enabled: bool | None = None
    transfer_until: datetime | None = None
    max_transfers: int | None = Field(default=None, ge=0, le=10)
    fan_refunds: bool | None = None
    refund_until: datetime | None = None
    resale_enabled: bool | None = None
    resale_cap_percent: int | None = Field(default=None, ge=1, le=MAX_CAP_PERCENT)
    offer_minutes: int | None = Field(default=None, ge=1, le=1440)
    rotating_codes: bool | None = None

    @model_validator(mode="after")
    def _only_deadlines_can_be_cleared(self) -> RulesPatch:
        """null clears a deadline; a switch or a number must have a value (no 500 on null)."""
        nulls = sorted(k for k in self.model_fields_set if getattr(self, k) is None and not k.endswith("_until"))
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)


class RulesOut(BaseModel):
    show_id: str
    transfers_enabled: bool
    transfer_until: datetime | None
    max_transfers: int
    fan_refunds: bool
    refund_until: datetime | None
    resale_enabled: bool
    resale_cap_percent: int
    offer_minutes: int
    rotating_codes: bool
    cancelled_at: datetime | None

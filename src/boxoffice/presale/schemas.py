"""Presale API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boxoffice.presale.domain import Presale
from boxoffice.presale.service import FanPresale


class PresaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    registration_opens_at: AwareDatetime
    registration_closes_at: AwareDatetime
    general_sale_at: AwareDatetime = Field(
        description="The presale runs from the show's sale opening until this moment; then everyone may buy."
    )


class DrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codes: int = Field(ge=1, le=1_000_000, description="How many winners (codes) to draw")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)


class PresaleOut(BaseModel):
    show_id: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    presale_opens_at: datetime
    general_sale_at: datetime
    commitment: str = Field(description="SHA-256 of the lottery seed, published before the draw")
    drawn_at: datetime | None
    codes_drawn: int
    registered: int

    @classmethod
    def of(cls, p: Presale, presale_opens_at: datetime, registered: int) -> PresaleOut:
        return cls(
            show_id=p.show_id, registration_opens_at=p.registration_opens_at,
            registration_closes_at=p.registration_closes_at, presale_opens_at=presale_opens_at,
            general_sale_at=p.general_sale_at, commitment=p.commitment, drawn_at=p.drawn_at,
            codes_drawn=p.codes_drawn, registered=registered,
        )  # fmt: skip


class FanPresaleOut(BaseModel):
    show_id: str
    phase: str
    registered: bool
    selected: bool
    code: str | None = Field(description="Your code, once drawn (it is also emailed)")
    redeemed: bool

    @classmethod
    def of(cls, f: FanPresale) -> FanPresaleOut:
        return cls(
            show_id=f.presale.show_id, phase=f.phase.value, registered=f.registered,
            selected=f.code is not None, code=f.code.code if f.code else None,
            redeemed=bool(f.code and f.code.redeemed_at),
        )  # fmt: skip


class PresaleLotteryOut(BaseModel):
    show_id: str
    commitment: str
    seed: str | None = Field(description="Published once drawn: check SHA-256(seed) == commitment")
    salt: str | None = Field(description="Published once drawn: your id is HMAC-SHA256(salt, your account id)")
    drawn_at: datetime | None
    codes_drawn: int
    entrants: list[str] = Field(
        description="Every entrant's public id in drawn order: sorted by HMAC-SHA256(seed, id), "
        "the waiting room's rule; the first `codes_drawn` won. Your account id is in GET /api/v1/me."
    )

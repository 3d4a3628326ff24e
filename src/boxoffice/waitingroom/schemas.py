"""Waiting-room API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boxoffice.waitingroom.domain import WaitingRoom, poll_after_seconds
from boxoffice.waitingroom.service import Place, RoomSettings


class PlaceOut(BaseModel):
    show_id: str
    status: str = Field(description="waiting | admitted | expired")
    position: int | None = Field(description="null until the lottery for early arrivals is drawn")
    ahead: int | None
    estimated_wait_seconds: int | None
    admission_token: str | None = Field(
        description="Send as X-Admission-Token with POST /api/v1/holds while admitted."
    )
    admitted_until: datetime | None
    lottery_at: datetime
    poll_after_seconds: int = Field(description="Ask again after this long (also a Retry-After hint).")
    lottery_id: str | None = Field(
        default=None, description="Your pseudonymous id in the published lottery draw."
    )
    place_token: str | None = Field(
        default=None, description="Send as X-Queue-Token with your next poll: a cheaper poll, "
        "answered from this signed place (pages get it as a cookie).",
    )  # fmt: skip

    @classmethod
    def of(cls, place: Place) -> PlaceOut:
        s = place.status
        return cls(
            show_id=place.show_id, status=s.status.value, position=s.position, ahead=s.ahead,
            estimated_wait_seconds=s.estimated_wait_seconds, admission_token=place.token,
            admitted_until=s.admitted_until, lottery_at=place.lottery_at,
            poll_after_seconds=poll_after_seconds(s), lottery_id=place.lottery_id,
            place_token=place.place_token,
        )  # fmt: skip


class RoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool
    opens_at: AwareDatetime
    admit_per_minute: int = Field(strict=True, ge=1, le=1_000_000)
    max_active: int | None = Field(default=None, strict=True, ge=1, le=1_000_000)
    window_minutes: float = Field(default=10, ge=1, le=120)
    lottery_beacon: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="A public value that did not exist when the room was configured (e.g. a public "
        "lottery's draw number), mixed into the draw; settable until the sale opens.",
    )  # fmt: skip

    def settings(self) -> RoomSettings:
        return RoomSettings(
            self.enabled, self.opens_at, self.admit_per_minute, self.max_active, self.window_minutes,
            self.lottery_beacon,
        )


class RoomOut(BaseModel):
    show_id: str
    enabled: bool
    opens_at: datetime
    admit_per_minute: int
    max_active: int | None
    window_minutes: float
    drawn_at: datetime | None
    seed: str | None = Field(description="The lottery seed, published once the lottery is drawn.")
    commitment: str = Field(description="SHA-256 of the seed, published from the start.")
    salt: str = Field(description="Salt of the entrants' pseudonymous ids.")
    beacon: str | None

    @classmethod
    def of(cls, room: WaitingRoom) -> RoomOut:
        return cls(
            show_id=room.show_id, enabled=room.enabled, opens_at=room.opens_at,
            admit_per_minute=room.admit_per_minute, max_active=room.max_active,
            window_minutes=room.window_minutes, drawn_at=room.drawn_at,
            seed=room.seed if room.drawn_at else None, commitment=room.commitment,
            salt=room.public_salt, beacon=room.beacon,
        )  # fmt: skip


class LotteryOut(BaseModel):
    show_id: str
    drawn_at: datetime | None
    commitment: str = Field(description="SHA-256 of the seed (hex), published when the room was configured.")
    seed: str | None = Field(description="Published at the draw: check SHA-256(seed) == commitment.")
    salt: str = Field(description="Your id is HMAC-SHA256(salt, your account id); GET .../queue shows it.")
    beacon: str | None = Field(description="The organiser's public value mixed into the draw, if any.")
    entrants: int
    entrants_url: str = Field(description="The entrants' ids in drawn order, one per line (after the draw).")
    how_to_check: str = (
        "key = seed, or SHA-256(seed + ':' + beacon) in hex when there is a beacon; the entrants' "
        "ids sorted by HMAC-SHA256(key, id) (bytes, smallest first) get positions 1, 2, ..."
    )

    @classmethod
    def of(cls, room: WaitingRoom, entrants: int) -> LotteryOut:
        return cls(
            show_id=room.show_id, drawn_at=room.drawn_at, commitment=room.commitment,
            seed=room.seed if room.drawn_at else None, salt=room.public_salt, beacon=room.beacon,
            entrants=entrants, entrants_url=f"/api/v1/shows/{room.show_id}/queue/lottery/entrants",
        )  # fmt: skip

"""After-sale rules of one show. Pure rules.

A show without a row of its own has DEFAULTS. Each check raises a typed
error (NotAllowed, InvalidRequest) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from boxoffice.errors import InvalidRequest, NotAllowed, ShowCancelled

MAX_CAP_PERCENT = 150  # face value + at most 50 % (fees): never a scalper's price


@dataclass(frozen=True, slots=True)
class AfterSaleRules:
    show_id: str
    transfers_enabled: bool = True
    transfer_until: datetime | None = None  # None: until the show starts
    max_transfers: int = 1  # how many times one place may change hands by transfer
    fan_refunds: bool = False  # fans may ask for their money back themselves
    refund_until: datetime | None = None  # None: until the show starts
    resale_enabled: bool = True
    resale_cap_percent: int = 100  # a listing's price <= face value * cap / 100
    offer_minutes: int = 15  # how long a waiting-list offer (a reserved hold) lasts
    rotating_codes: bool = False  # True: the gate takes only the rotating code
    cancelled_at: datetime | None = None

    def changed(self, values: dict[str, Any]) -> AfterSaleRules:
        rules = replace(self, **values)
        if not 0 <= rules.max_transfers <= 10:
            raise InvalidRequest("max_transfers is 0 to 10.", field="max_transfers")
        if not 1 <= rules.resale_cap_percent <= MAX_CAP_PERCENT:
            raise InvalidRequest(
                f"resale_cap_percent is 1 to {MAX_CAP_PERCENT}.", field="resale_cap_percent"
            )
        if not 1 <= rules.offer_minutes <= 24 * 60:
            raise InvalidRequest("offer_minutes is 1 to 1440.", field="offer_minutes")
        return rules

    def check_open(self) -> None:
        if self.cancelled_at is not None:
            raise ShowCancelled()

    def check_transfer(self, now: datetime, starts_at: datetime, transfers_so_far: int) -> None:
        self.check_open()
        if not self.transfers_enabled:
            raise NotAllowed("The organiser does not allow transfers for this show.")
        if now >= (self.transfer_until or starts_at):
            raise NotAllowed("Transfers for this show have closed.")
        if transfers_so_far >= self.max_transfers:
            raise NotAllowed(
                f"This ticket was already transferred {transfers_so_far} time(s), the most allowed.",
                max_transfers=self.max_transfers,
            )

    def check_fan_refund(self, now: datetime, starts_at: datetime) -> None:
        self.check_open()
        if not self.fan_refunds:
            raise NotAllowed("The organiser does not take refund requests for this show.")
        if now >= (self.refund_until or starts_at):
            raise NotAllowed("Refund requests for this show have closed.")

    def resale_cap(self, face_value_cents: int) -> int:
        return face_value_cents * self.resale_cap_percent // 100

    def check_listing(self, now: datetime, starts_at: datetime, price_cents: int, face_value_cents: int) -> None:
        self.check_open()
        if not self.resale_enabled:
            raise NotAllowed("The organiser does not allow resale for this show.")
        if now >= starts_at:
            raise NotAllowed("Resale for this show has closed.")
        cap = self.resale_cap(face_value_cents)
        if not 0 < price_cents <= cap:
            raise InvalidRequest(
                f"The price must be between 1 and {cap} cents (the organiser's cap).",
                field="price_cents", cap_cents=cap,
            )  # fmt: skip

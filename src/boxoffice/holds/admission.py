"""The seams in front of the hold path: the waiting room's admission check,
and the cache's sold-out gate.

While a show's waiting room is on, only buyers with a valid admission token
for that show and account may hold tickets. Until the waiting room exists,
everyone is admitted.
"""

from __future__ import annotations

from typing import Protocol

from boxoffice.accounts.domain import Account
from boxoffice.holds.domain import HoldRequest


class AdmissionGate(Protocol):
    async def check(self, account: Account, show_id: str, token: str | None) -> None:
        """Return if `account` may hold tickets for the show; raise Forbidden if not.
        Called outside any database transaction (it may read the database itself)."""


class OpenAdmission:
    async def check(self, account: Account, show_id: str, token: str | None) -> None:
        return None


class SoldOutGate(Protocol):
    async def check(self, request: HoldRequest) -> None:
        """Raise SoldOut / SeatsUnavailable if it is already known the request
        cannot fit; return otherwise (the database decides)."""


class NoGate:
    async def check(self, request: HoldRequest) -> None:
        return None

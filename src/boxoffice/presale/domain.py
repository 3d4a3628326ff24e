"""Presale rules, pure.

A show's presale has three phases, all on the show's own sale window:

    registration [opens, closes)  ->  draw  ->  presale [sale opens, general sale)  ->  general sale

- Fans register interest during the registration window, once per account.
- The organiser draws N codes after registration closes, by the waiting
  room's verifiable lottery (waitingroom.domain: each entrant's public id is
  `pseudonym(salt, account id)`, the ids are ordered by `draw_order(seed)`);
  the seed was fixed when the presale was set up and its SHA-256 published
  then (the commitment), so it cannot be chosen after seeing who registered.
  After the draw the seed, the salt and the ids in drawn order are public:
  anyone can recompute the order and see that the first N won, and each fan
  can find their own id.
- Each winner gets a code bound to their account: 100 random bits, typed in
  groups of five. Entering it (once: codes are single-use) unlocks the
  presale for that account; from the sale's opening until the general sale
  only unlocked accounts may join the queue or hold tickets.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boxoffice.errors import InvalidRequest

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, no 0/O or 1/I
CODE_GROUPS, GROUP_SIZE = 4, 5  # 20 symbols x 5 bits = 100 bits


class Phase(StrEnum):
    BEFORE = "before_registration"
    REGISTRATION = "registration"
    DRAW = "waiting_for_draw"
    PRESALE = "presale"
    GENERAL = "general_sale"


@dataclass(frozen=True, slots=True)
class Presale:
    show_id: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    general_sale_at: datetime
    seed: str
    commitment: str
    created_at: datetime
    drawn_at: datetime | None = None
    codes_drawn: int = 0

    def phase(self, now: datetime, sale_opens_at: datetime) -> Phase:
        if now >= self.general_sale_at:
            return Phase.GENERAL
        if now >= sale_opens_at:
            return Phase.PRESALE
        if now < self.registration_opens_at:
            return Phase.BEFORE
        if now < self.registration_closes_at:
            return Phase.REGISTRATION
        return Phase.DRAW

    def needs_code(self, now: datetime, sale_opens_at: datetime) -> bool:
        return sale_opens_at <= now < self.general_sale_at


@dataclass(frozen=True, slots=True)
class PresaleCode:
    code: str
    show_id: str
    account_id: str
    created_at: datetime
    redeemed_at: datetime | None = None


def check_presale_settings(
    registration_opens_at: datetime, registration_closes_at: datetime, general_sale_at: datetime,
    sale_opens_at: datetime, sale_closes_at: datetime,
) -> None:  # fmt: skip
    if registration_opens_at >= registration_closes_at:
        raise InvalidRequest("Registration must close after it opens.", field="registration_closes_at")
    if registration_closes_at > sale_opens_at:
        raise InvalidRequest("Registration must close before the sale (the presale) opens.",
                             field="registration_closes_at")  # fmt: skip
    if not sale_opens_at < general_sale_at <= sale_closes_at:
        raise InvalidRequest("The general sale starts after the presale opens and before the sale closes.",
                             field="general_sale_at")  # fmt: skip


def new_seed() -> str:
    return secrets.token_hex(32)


def salt_of(seed: str) -> str:
    """The salt of the entrants' public ids (published with the seed, after the draw)."""
    return hashlib.sha256(f"salt:{seed}".encode()).hexdigest()[:32]


def new_code() -> str:
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_GROUPS * GROUP_SIZE))
    return "-".join(symbols[i : i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def normalise_code(text: str) -> str:
    """What a fan typed, as stored: upper case, groups joined by dashes, spaces ignored."""
    bare = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(bare[i : i + GROUP_SIZE] for i in range(0, len(bare), GROUP_SIZE))

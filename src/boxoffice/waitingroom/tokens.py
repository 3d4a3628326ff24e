"""Admission tokens: signed (itsdangerous), short-lived, bound to one account and one show.
Place tokens: signed, carry a fan's fixed place in the line (waitingroom/polls.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from boxoffice.errors import Forbidden


class AdmissionTokens:
    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeSerializer(secret, salt="boxoffice.admission")

    def issue(self, account_id: str, show_id: str, position: int, until: datetime) -> str:
        return self._serializer.dumps(
            {"a": account_id, "s": show_id, "p": position, "u": until.timestamp()}
        )

    def verify(self, token: str | None, account_id: str, show_id: str, now: datetime) -> int:
        """The position the token admits; Forbidden with a clear reason otherwise."""
        if not token:
            raise Forbidden(
                "The waiting room is on for this show: join the queue and wait for your turn.",
                reason="admission_required",
            )
        try:
            claims = self._serializer.loads(token)
        except BadSignature as exc:
            raise Forbidden("This admission token is not valid.", reason="admission_invalid") from exc
        if claims.get("a") != account_id or claims.get("s") != show_id:
            raise Forbidden(
                "This admission token belongs to another account or show.",
                reason="admission_invalid",
            )
        if now.timestamp() >= float(claims.get("u", 0)):
            raise Forbidden(
                "Your turn to buy has passed: the window to hold tickets closed.", reason="admission_expired"
            )
        return int(claims["p"])


@dataclass(frozen=True, slots=True)
class PlaceClaim:
    """What a place token says: this account holds `position` in this show's line
    (0: an early entrant before the draw); it last saw the cursor at `cursor`."""

    show_id: str
    account_id: str
    position: int
    cursor: int
    line: str  # the line it was issued for (a token of an earlier line is refused)
    issued: int  # unix seconds


class PlaceTokens:
    """Signed place tokens: a fan's place is fixed once placed, so a poll can
    carry it instead of looking it up (no session, no store). Compact and cheap:
    one HMAC-SHA256 per check, no serialisation library."""

    MAX_AGE = 24 * 3600  # seconds; a poll renews the token

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"boxoffice.place-token", hashlib.sha256).digest()

    def _sign(self, payload: str) -> str:
        mac = hmac.digest(self._key, payload.encode(), "sha256")[:18]
        return base64.urlsafe_b64encode(mac).decode()

    def issue(self, claim: PlaceClaim) -> str:
        payload = (
            f"{claim.show_id}.{claim.account_id}.{claim.position}.{claim.cursor}.{claim.line}.{claim.issued}"
        )
        return f"{payload}.{self._sign(payload)}"

    def read(self, token: str, show_id: str, now: float) -> PlaceClaim | None:
        """The claim of a genuine, current token for this show; None for anything else."""
        payload, _, signature = token.rpartition(".")
        if not payload or len(token) > 300 or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        parts = payload.split(".")
        if len(parts) != 6 or parts[0] != show_id:
            return None
        try:
            position, cursor, issued = int(parts[2]), int(parts[3]), int(parts[5])
        except ValueError:
            return None
        if not 0 <= now - issued <= self.MAX_AGE:
            return None
        return PlaceClaim(parts[0], parts[1], position, cursor, parts[4], issued)

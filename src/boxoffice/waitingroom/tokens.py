"""Admission tokens: signed (itsdangerous), short-lived, bound to one account and one show."""

from __future__ import annotations

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

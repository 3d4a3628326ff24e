"""Webhook endpoints and signatures. Pure rules.

A delivery is a POST of JSON `{"id", "type", "created_at", "data"}` with
headers:

- `X-Boxoffice-Event`: the event type
- `X-Boxoffice-Delivery`: the delivery id, the same on every retry (drop repeats by it)
- `X-Boxoffice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` of
  `"<t>.<body>"` under the endpoint's secret. A receiver recomputes it, and
  refuses a timestamp older than a few minutes (a replayed delivery).

Endpoints must be HTTPS; plain http is allowed only to a loopback address
outside production (tests, a local demo receiver).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from boxoffice.errors import InvalidRequest

EVENTS = ("order.paid", "order.refunded", "ticket.checked_in")
TOLERANCE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    url: str
    secret: str
    events: tuple[str, ...]
    created_at: datetime
    created_by: str
    description: str = ""
    active: bool = True

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in self.events


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_events(events: list[str]) -> tuple[str, ...]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise InvalidRequest(f"Events are some of {', '.join(EVENTS)}.", field="events")
    return tuple(e for e in EVENTS if e in events)


def check_url(url: str, *, allow_loopback_http: bool) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise InvalidRequest("The endpoint is an https:// address.", field="url") from exc
    if not parts.hostname or parts.scheme not in {"https", "http"} or len(url) > 500:
        raise InvalidRequest("The endpoint is an https:// address.", field="url")
    if parts.username or parts.password:
        raise InvalidRequest("The endpoint address must not carry a user or password.", field="url")
    if parts.scheme == "http" and not (allow_loopback_http and _loopback(parts.hostname)):
        raise InvalidRequest("The endpoint must use https://.", field="url")
    return url.strip()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (our tests, and the docs' example)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={fields.get('v1', '')}")

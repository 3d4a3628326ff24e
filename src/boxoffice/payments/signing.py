"""Webhook signatures: HMAC-SHA256 over "<unix timestamp>.<raw body>".

The header reads `X-Pix-Signature: t=<unix seconds>,v1=<hex digest>`. A
receiver accepts a message only if the digest matches (constant-time) and the
timestamp is within `tolerance` seconds of its wall clock: a captured message
replayed later fails the timestamp, and a replay inside the window is a
duplicate event id, which the receiver answers without doing anything twice.
Pure functions: the provider signs with them, the shop verifies with them.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Pix-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureInvalid(Exception):
    """The message is forged, altered, malformed or too old to be trusted."""


def digest(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(
    secret: bytes, header: str | None, body: bytes, now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> int:  # fmt: skip
    """The message's timestamp if `header` signs `body` and is fresh; else SignatureInvalid."""
    if not header:
        raise SignatureInvalid("missing signature")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureInvalid("malformed signature header") from None
    expected = digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise SignatureInvalid("signature does not match")
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid("signature timestamp outside the tolerance")
    return timestamp

"""Rotating ticket codes. Pure rules (RFC 6238 TOTP over a per-ticket secret).

Each ticket has its own secret, derived from the server's secret and the
ticket's code (so a transfer or a resale, which issue a new code, also give
a new secret, and nothing extra is stored). The fan's page shows a QR of
`BX1.<code>.<otp>`, where the one-time password changes every STEP seconds:
a screenshot stops working after about a minute. The gate accepts the
current step and WINDOW steps either side (clocks drift, scanning takes
time). Offline, the gate verifies against the exported secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import datetime

STEP = 30  # seconds per code
DIGITS = 6
WINDOW = 1  # steps of tolerance either side
PREFIX = "BX1"


def ticket_secret(server_secret: bytes, code: str) -> bytes:
    return hmac.new(server_secret, f"ticket-otp:{code}".encode(), hashlib.sha256).digest()[:20]


def secret_b32(secret: bytes) -> str:
    """The secret as authenticator apps and offline scanners take it."""
    return base64.b32encode(secret).decode().rstrip("=")


def otp(secret: bytes, at: datetime, step: int = STEP) -> str:
    counter = int(at.timestamp()) // step
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def verify(secret: bytes, given: str, at: datetime, window: int = WINDOW) -> bool:
    ts = at.timestamp()
    return any(
        hmac.compare_digest(otp(secret, datetime.fromtimestamp(ts + d * STEP, at.tzinfo)), given)
        for d in range(-window, window + 1)
    )


def payload(code: str, one_time: str) -> str:
    return f"{PREFIX}.{code}.{one_time}"


@dataclass(frozen=True, slots=True)
class Scanned:
    code: str
    one_time: str | None  # None: a static code (typed, or printed by an organiser without rotation)


def parse(scanned: str) -> Scanned:
    text = scanned.strip()
    parts = text.split(".")
    if len(parts) == 3 and parts[0] == PREFIX and parts[2].isdigit():
        return Scanned(parts[1], parts[2])
    return Scanned(text, None)

"""What makes a password acceptable (ASVS 2.1): long enough, not on a list
of common and breached passwords, and hard to guess by a strength estimate.

The list is zxcvbn's own `passwords` frequency list (30,000 passwords, most
common first, from leaked password dumps), so it is maintained and pinned
with the estimator itself (zxcvbn on PyPI). The estimate counts dictionary
words, keyboard walks, repeats, dates, l33t and the fan's own email and name:
`Password1!`, `qwerty1234` and `1234512345` all score below MIN_SCORE.
"""

from __future__ import annotations

import re
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from boxoffice.errors import InvalidRequest

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
SEPARATORS = re.compile(r"[\s\-_.]+")
ESTIMATED_PREFIX = 100  # zxcvbn's cost grows with length; past 100 characters length alone suffices


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _weak(message: str, reason: str) -> InvalidRequest:
    return InvalidRequest(f"Password too weak: {message}", field="password", reason=reason)


def check_password_strength(password: str, email: str, name: str = "") -> None:
    """Refuse passwords a person should not use; the message says how to fix it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _weak(f"use at least {MIN_PASSWORD_LENGTH} characters.", "too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"Password too long: use at most {MAX_PASSWORD_LENGTH} characters.", field="password"
        )
    lowered = password.lower()
    local_part = email.strip().lower().split("@")[0]
    if lowered in (email.strip().lower(), local_part):
        raise _weak("do not use your email.", "like_email")
    if lowered in common_passwords() or len(set(lowered)) < 4:
        raise _weak("it is on a list of common or breached passwords.", "common")
    inputs = [part for part in (email, local_part, *name.split()) if part]
    # Scored as typed and without separators: "word word" must not pass
    # where "wordword" would not (zxcvbn counts a space as brute force).
    squeezed = SEPARATORS.sub("", password)
    score = min(
        zxcvbn(candidate[:ESTIMATED_PREFIX], user_inputs=inputs)["score"]
        for candidate in {password, squeezed or password}
    )
    if score < MIN_SCORE:
        raise _weak(
            "it is too easy to guess (a word with digits, a keyboard pattern or a repeat). "
            "A few unrelated words make a strong one.",
            "guessable",
        )

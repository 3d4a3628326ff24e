"""Identifiers and secrets: opaque, random, unguessable."""

import secrets
import uuid


def new_id() -> str:
    return uuid.uuid4().hex


def new_token() -> str:
    """A bearer secret (session token): 256 random bits."""
    return secrets.token_urlsafe(32)


def new_ticket_code() -> str:
    """A ticket code: 120 random bits, short enough to type at a gate."""
    return secrets.token_urlsafe(15)

"""Check-in API shapes."""

from __future__ import annotations

from pydantic import BaseModel


class LiveCodeOut(BaseModel):
    payload: str
    rotating: bool
    valid_for_seconds: int

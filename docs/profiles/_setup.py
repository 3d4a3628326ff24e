"""Shared by the one-off measurement scripts here: the bench's scratch
PostgreSQL database, an emptied Redis db 7, and the bench's fans and shows."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import redis

from boxoffice.bench import fixture as fx
from boxoffice.settings import Settings

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS = os.environ.get("BOXOFFICE_PROFILE_REDIS", "redis://127.0.0.1:6379/7")  # a db of your own: it is emptied


async def bench_fixture(fans: int = 4000, seats: int = 1000, **overrides: object) -> tuple[Settings, fx.Fixture]:
    url = await fx.recreate_database(POSTGRES)
    redis.Redis.from_url(REDIS).flushdb()
    settings = fx.bench_settings(Path(tempfile.mkdtemp()), url, REDIS).model_copy(update=overrides)
    return settings, await fx.prepare(settings, fans=fans, ga=3000, seats=seats, progress=lambda _: None)


async def drop() -> None:
    await fx.drop_database(POSTGRES)

"""Apply Alembic migrations from code (boxoffice migrate, and on start).

On PostgreSQL an advisory lock makes concurrent starts of many app processes
migrate once, one after another.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from boxoffice.storage.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_220_611  # any constant shared by every boxoffice process


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate(database: Database, revision: str = "head") -> None:
    async with database.engine.begin() as conn:
        if not database.is_sqlite:
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
        await conn.run_sync(_upgrade, revision)


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as conn:
        return await conn.run_sync(_current)


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()

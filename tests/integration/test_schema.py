"""The migrations and storage/tables.py describe the same schema (both backends)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from boxoffice.bootstrap import Container
from boxoffice.storage.tables import metadata


async def test_migrations_match_the_tables_module(container: Container) -> None:
    async with container.database.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == []

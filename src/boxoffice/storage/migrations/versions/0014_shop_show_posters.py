"""show posters: an image the organiser uploads for a show's hero

shows.poster_version changes with each upload, so the poster's URL does too
(it is served with a long cache lifetime).

Revision ID: 0014_shop_show_posters
Revises: 0013_verifiable_lottery
Create Date: 2026-11-30 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.storage.types

revision: str = "0014_shop_show_posters"
down_revision: str | None = "0013_verifiable_lottery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shows") as batch:
        batch.add_column(sa.Column("poster_version", sa.String(32), nullable=True))
    op.create_table(
        "show_posters",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_show_posters_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_show_posters")),
    )


def downgrade() -> None:
    op.drop_table("show_posters")
    with op.batch_alter_table("shows") as batch:
        batch.drop_column("poster_version")

"""verifiable lottery: a public salt and beacon per waiting room, the published entrants

Revision ID: 0013_verifiable_lottery
Revises: 0012_account_language
Create Date: 2026-11-30 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_verifiable_lottery"
down_revision: str | None = "0012_account_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("waiting_rooms", sa.Column("salt", sa.String(64), nullable=True))
    op.add_column("waiting_rooms", sa.Column("beacon", sa.String(200), nullable=True))
    op.create_table(
        "lottery_draws",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("entrants", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_lottery_draws_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_lottery_draws")),
    )


def downgrade() -> None:
    op.drop_table("lottery_draws")
    op.drop_column("waiting_rooms", "beacon")
    op.drop_column("waiting_rooms", "salt")

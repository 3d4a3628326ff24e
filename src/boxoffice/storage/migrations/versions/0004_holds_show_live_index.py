"""an index for a show's live holds (availability snapshots)

Without it, the next expiry of a show's holds (`min(expires_at)`, read by
every availability rebuild) scanned the whole holds table: ~3 ms at 20,000
holds, growing with the sale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_holds_show_live", "holds", ["show_id", "status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_holds_show_live", table_name="holds")

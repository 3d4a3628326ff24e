"""holds are indexed per buyer and per section, never per show

0004 added an index led by show_id for the availability snapshot's queries.
It turned out to be a trap: while the holds table grows faster than it is
analysed (a new show's sale), the planner cannot tell it from the buyer index
and read a buyer's live holds for the per-account limit by scanning every
live hold of the show (8 ms per batch at 40,000 holds, and growing through the
sale). The snapshot's queries now go section by section
(ix_holds_section_live), and the buyer index gains expires_at.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_holds_show_live", table_name="holds")
    op.create_index(
        "ix_holds_account_show_live", "holds", ["account_id", "show_id", "status", "expires_at"]
    )
    op.drop_index("ix_holds_account_show", table_name="holds")


def downgrade() -> None:
    op.create_index("ix_holds_account_show", "holds", ["account_id", "show_id", "status"])
    op.drop_index("ix_holds_account_show_live", table_name="holds")
    op.create_index("ix_holds_show_live", "holds", ["show_id", "status", "expires_at"])

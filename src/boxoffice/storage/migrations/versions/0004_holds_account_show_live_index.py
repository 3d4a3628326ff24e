"""a buyer's live holds of a show: expires_at joins the buyer index

The per-account limit reads a buyer's live holds of a show (account, show,
status, expires_at > now). With expires_at in the index it matches every
condition of that read, so it stays the planner's choice even while the
holds table grows faster than it is analysed (a new show's sale). No index
on holds leads with show_id: one that did (tried during development) got
that read planned as a scan of every live hold of the show, 8 ms per batch
at 40,000 holds and growing through the sale; the availability snapshot
reads holds section by section instead (ix_holds_section_live).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_holds_account_show_live", "holds", ["account_id", "show_id", "status", "expires_at"]
    )
    op.drop_index("ix_holds_account_show", table_name="holds")


def downgrade() -> None:
    op.create_index("ix_holds_account_show", "holds", ["account_id", "show_id", "status"])
    op.drop_index("ix_holds_account_show_live", table_name="holds")

"""a show's time zone: the venue's IANA zone (times are shown and entered in it)

Existing shows get UTC, the zone their times were entered in until now.

Revision ID: 0006_shop_show_timezone
Revises: 0005_outbox
Create Date: 2026-11-30 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_shop_show_timezone"
down_revision: str | None = "0005_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shows") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))


def downgrade() -> None:
    with op.batch_alter_table("shows") as batch:
        batch.drop_column("timezone")

"""organiser webhook endpoints (their deliveries are outbox messages)

Revision ID: 0015_webhooks
Revises: 0014_shop_show_posters
Create Date: 2026-11-30 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from boxoffice.storage.types import UTCDateTime

revision: str = "0015_webhooks"
down_revision: str | None = "0014_shop_show_posters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("events", sa.String(200), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")

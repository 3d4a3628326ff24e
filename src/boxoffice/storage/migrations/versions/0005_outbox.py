"""the outbox: messages (email, webhooks) written with the change they report

Revision ID: 0005_outbox
Revises: 0004
Create Date: 2026-11-30 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from boxoffice.storage.types import UTCDateTime

revision: str = "0005_outbox"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(32)),
        sa.Column("recipient", sa.String(254)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claim", sa.String(32)),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("last_error", sa.String(500)),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'dead')", name="ck_outbox_messages_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_messages_dedupe_key"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"])
    op.create_index(
        "ix_outbox_messages_recipient", "outbox_messages", ["recipient", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("outbox_messages")

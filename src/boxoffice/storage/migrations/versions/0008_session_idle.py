"""sessions: last_seen_at, for the idle timeout

A session ends BOXOFFICE_SESSION_IDLE_MINUTES after its last use (or at its
absolute expiry, whichever is first). NULL means "not used since created".

Revision ID: 0008_session_idle
Revises: 0007_pix_payments
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.storage.types

revision: str = "0008_session_idle"
down_revision: str | None = "0007_pix_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column("last_seen_at", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("last_seen_at")

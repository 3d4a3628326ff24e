"""accounts.language: the language of the mail a fan gets (en, pt-BR)

Existing accounts get English.

Revision ID: 0012_account_language
Revises: 0011_vouchers
Create Date: 2026-11-30 23:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_account_language"
down_revision: str | None = "0011_vouchers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("language")

"""vouchers and their uses

Revision ID: 0011_vouchers
Revises: 0010_after_sale
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.storage.types

revision: str = "0011_vouchers"
down_revision: str | None = "0010_after_sale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

When = boxoffice.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "vouchers",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("amount_off_cents", sa.BigInteger(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", When(timezone=True), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('discount', 'access')", name=op.f("ck_vouchers_kind")),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_vouchers_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_vouchers")),
    )
    op.create_index("ix_vouchers_show", "vouchers", ["show_id", "created_at"])
    op.create_table(
        "voucher_uses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("discount_cents", sa.BigInteger(), nullable=False),
        sa.Column("used_at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["vouchers.code"], name=op.f("fk_voucher_uses_code_vouchers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_uses")),
    )
    op.create_index("ix_voucher_uses_code", "voucher_uses", ["code"])
    op.create_index("ix_voucher_uses_order", "voucher_uses", ["order_id"])


def downgrade() -> None:
    op.drop_table("voucher_uses")
    op.drop_table("vouchers")

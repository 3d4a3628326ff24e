"""asynchronous (Pix) payments and their webhook events

Revision ID: 0007_pix_payments
Revises: 0006_shop_show_timezone
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.storage.types

revision: str = "0007_pix_payments"
down_revision: str | None = "0006_shop_show_timezone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("copy_paste", sa.Text(), nullable=False),
        sa.Column("pay_url", sa.String(length=500), nullable=True),
        sa.Column("hold_id", sa.String(length=32), nullable=False),
        sa.Column("deadline", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index("ix_payments_status_deadline", "payments", ["status", "deadline"])
    op.create_index("ix_payments_hold", "payments", ["hold_id", "status"])
    op.create_table(
        "payment_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("received_at", boxoffice.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_payment_events")),
    )


def downgrade() -> None:
    op.drop_table("payment_events")
    op.drop_index("ix_payments_hold", table_name="payments")
    op.drop_index("ix_payments_status_deadline", table_name="payments")
    op.drop_table("payments")

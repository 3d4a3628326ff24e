"""after the sale: refunds, transfers, resale listings, waiting list, notifications

Tickets get a status (valid, listed, void, refunded), a transfer count and
the ticket they replaced; orders count what was refunded. The new tables are
described in storage/tables.py.

Revision ID: 0010_after_sale
Revises: 0009_presale
Create Date: 2026-11-30 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from boxoffice.storage.types import UTCDateTime

revision: str = "0010_after_sale"
down_revision: str | None = "0009_presale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=32)


def upgrade() -> None:
    op.add_column("tickets", sa.Column("status", sa.String(12), nullable=False, server_default="valid"))
    op.add_column("tickets", sa.Column("transfers", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("tickets", sa.Column("previous_id", ID, nullable=True))
    op.add_column("orders", sa.Column("refunded_cents", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "after_sale_rules",
        sa.Column("show_id", ID, nullable=False),
        sa.Column("transfers_enabled", sa.Boolean(), nullable=False),
        sa.Column("transfer_until", UTCDateTime(timezone=True)),
        sa.Column("max_transfers", sa.Integer(), nullable=False),
        sa.Column("fan_refunds", sa.Boolean(), nullable=False),
        sa.Column("refund_until", UTCDateTime(timezone=True)),
        sa.Column("resale_enabled", sa.Boolean(), nullable=False),
        sa.Column("resale_cap_percent", sa.Integer(), nullable=False),
        sa.Column("offer_minutes", sa.Integer(), nullable=False),
        sa.Column("rotating_codes", sa.Boolean(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(timezone=True)),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_after_sale_rules_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_after_sale_rules")),
    )
    op.create_table(
        "refunds",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("show_id", ID, nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("payment_reference", sa.String(64)),
        sa.Column("requested_by", ID, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", UTCDateTime(timezone=True)),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_refunds_account_id_accounts")),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_refunds_show_id_shows")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("requested_by", "idempotency_key", name="uq_refunds_idempotency"),
    )
    op.create_index("ix_refunds_order", "refunds", ["order_id"])
    op.create_index("ix_refunds_status", "refunds", ["status"])
    op.create_table(
        "transfers",
        sa.Column("id", ID, nullable=False),
        sa.Column("show_id", ID, nullable=False),
        sa.Column("old_ticket_id", ID, nullable=False),
        sa.Column("new_ticket_id", ID, nullable=False),
        sa.Column("from_account_id", ID, nullable=False),
        sa.Column("to_account_id", ID, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_transfers_show_id_shows")),
        sa.ForeignKeyConstraint(["old_ticket_id"], ["tickets.id"], name=op.f("fk_transfers_old_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["new_ticket_id"], ["tickets.id"], name=op.f("fk_transfers_new_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["from_account_id"], ["accounts.id"], name=op.f("fk_transfers_from_account_id_accounts")),
        sa.ForeignKeyConstraint(["to_account_id"], ["accounts.id"], name=op.f("fk_transfers_to_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("old_ticket_id", name=op.f("uq_transfers_old_ticket_id")),
        sa.UniqueConstraint("new_ticket_id", name=op.f("uq_transfers_new_ticket_id")),
        sa.UniqueConstraint("from_account_id", "idempotency_key", name="uq_transfers_idempotency"),
    )
    op.create_table(
        "resale_listings",
        sa.Column("id", ID, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("live_ticket", ID),
        sa.Column("seller_id", ID, nullable=False),
        sa.Column("show_id", ID, nullable=False),
        sa.Column("section_id", ID, nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("buyer_id", ID),
        sa.Column("reserved_until", UTCDateTime(timezone=True)),
        sa.Column("buyer_key", sa.String(200)),
        sa.Column("order_id", ID),
        sa.Column("new_ticket_id", ID),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_resale_listings_price_positive")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_resale_listings_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["seller_id"], ["accounts.id"], name=op.f("fk_resale_listings_seller_id_accounts")),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_resale_listings_show_id_shows")),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"], name=op.f("fk_resale_listings_section_id_sections")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resale_listings")),
        sa.UniqueConstraint("live_ticket", name=op.f("uq_resale_listings_live_ticket")),
    )
    op.create_index("ix_resale_listings_show", "resale_listings", ["show_id", "status"])
    op.create_table(
        "waitlist_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("show_id", ID, nullable=False),
        sa.Column("section_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("joined_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("hold_id", ID),
        sa.Column("offer_expires_at", UTCDateTime(timezone=True)),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_waitlist_entries_quantity_positive")),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_waitlist_entries_show_id_shows"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"], name=op.f("fk_waitlist_entries_section_id_sections"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_waitlist_entries_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("show_id", "account_id", name="uq_waitlist_entries_place"),
    )
    op.create_index("ix_waitlist_entries_line", "waitlist_entries", ["section_id", "status", "joined_at"])
    op.create_table(
        "notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("show_id", ID),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True)),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_notifications_account_id_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_account", "notifications", ["account_id", "created_at"])


def downgrade() -> None:
    for table in ("notifications", "waitlist_entries", "resale_listings", "transfers", "refunds", "after_sale_rules"):
        op.drop_table(table)
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("refunded_cents")
    with op.batch_alter_table("tickets") as batch:
        for column in ("previous_id", "transfers", "status"):
            batch.drop_column(column)

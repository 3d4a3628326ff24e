"""presale: registration windows, registrations, codes

Revision ID: 0009_presale
Revises: 0008_session_idle
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.storage.types

revision: str = "0009_presale"
down_revision: str | None = "0008_session_idle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

When = boxoffice.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "presales",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("registration_opens_at", When(timezone=True), nullable=False),
        sa.Column("registration_closes_at", When(timezone=True), nullable=False),
        sa.Column("general_sale_at", When(timezone=True), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.Column("drawn_at", When(timezone=True), nullable=True),
        sa.Column("codes_drawn", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_presales_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_presales")),
    )
    op.create_table(
        "presale_registrations",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("registered_at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_presale_registrations_account_id_accounts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_presale_registrations_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("show_id", "account_id", name=op.f("pk_presale_registrations")),
    )
    op.create_table(
        "presale_codes",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.Column("redeemed_at", When(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_presale_codes_account_id_accounts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], name=op.f("fk_presale_codes_show_id_shows"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_presale_codes")),
        sa.UniqueConstraint("show_id", "account_id", name="uq_presale_codes_show_account"),
    )


def downgrade() -> None:
    op.drop_table("presale_codes")
    op.drop_table("presale_registrations")
    op.drop_table("presales")

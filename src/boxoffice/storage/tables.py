"""The schema, in SQLAlchemy Core. Alembic migrations are the source of truth
for the database; this module must match them (a test checks it).

Invariants the schema itself enforces, as a last line of defence behind
storage/locking.py:
- sections: 0 <= sold_count, 0 <= held_count, sold_count + held_count <= capacity
- a seat belongs to at most one ticket (tickets.seat_id is unique)
- one hold / order per (account, Idempotency-Key)
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from boxoffice.storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)

accounts = Table(
    "accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # the fan's language for mail ("en" or "pt-BR"), chosen when registering
    Column("language", String(8), nullable=False, server_default="en"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_seen_at", UTCDateTime),  # the idle timeout counts from here (NULL: created_at)
    Index("ix_sessions_account", "account_id"),
)

shows = Table(
    "shows",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("venue", String(200), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("sale_opens_at", UTCDateTime, nullable=False),
    Column("sale_closes_at", UTCDateTime, nullable=False),
    Column("per_account_limit", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("poster_version", String(32)),  # set when the organiser uploads a poster (show_posters)
)

sections = Table(
    "sections",
    metadata,
    Column("id", ID, primary_key=True),
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("sold_count", Integer, nullable=False, default=0),
    Column("held_count", Integer, nullable=False, default=0),
    Column("position", Integer, nullable=False, default=0),
    CheckConstraint("sold_count >= 0 AND held_count >= 0", name="counts_positive"),
    CheckConstraint("sold_count + held_count <= capacity", name="never_oversold"),
    CheckConstraint("kind IN ('ga', 'seated')", name="kind"),
    CheckConstraint("price_cents >= 0", name="price_positive"),
    UniqueConstraint("show_id", "name", name="uq_sections_show_name"),
)

seats = Table(
    "seats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("section_id", ID, ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
    Column("row_label", String(8), nullable=False),
    Column("number", Integer, nullable=False),
    Column("hold_id", ID),
    Column("held_until", UTCDateTime),
    Column("sold", Boolean, nullable=False, default=False),
    UniqueConstraint("section_id", "row_label", "number", name="uq_seats_place"),
    Index("ix_seats_hold", "hold_id"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("section_id", ID, ForeignKey("sections.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("idempotency_key", String(200)),
    Column("fingerprint", String(64), nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    UniqueConstraint("account_id", "idempotency_key", name="uq_holds_idempotency"),
    Index("ix_holds_section_live", "section_id", "status", "expires_at"),
    # a buyer's live holds of a show (the per-account limit). No index leads
    # with show_id: see migration 0004.
    Index("ix_holds_account_show_live", "account_id", "show_id", "status", "expires_at"),
)

hold_seats = Table(
    "hold_seats",
    metadata,
    Column("hold_id", ID, ForeignKey("holds.id", ondelete="CASCADE"), primary_key=True),
    Column("seat_id", Integer, ForeignKey("seats.id", ondelete="CASCADE"), primary_key=True),
)

orders = Table(
    "orders",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("hold_id", ID, ForeignKey("holds.id"), nullable=False),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("status", String(12), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("failure_reason", String(64)),
    Column("payment_reference", String(64)),
    Column("idempotency_key", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "idempotency_key", name="uq_orders_idempotency"),
    Index("ix_orders_account", "account_id", "created_at"),
    Index("ix_orders_hold", "hold_id", "status"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("order_id", ID, ForeignKey("orders.id"), nullable=False),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("section_id", ID, ForeignKey("sections.id"), nullable=False),
    Column("seat_id", Integer, ForeignKey("seats.id"), unique=True),
    Column("price_cents", BigInteger, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("checked_in_at", UTCDateTime),
    Index("ix_tickets_account_show", "account_id", "show_id"),
    Index("ix_tickets_order", "order_id"),
)

# One row per (account, show): the lock that serialises one account's holds so
# the per-account limit cannot be raced past (see storage/locking.py).
purchase_locks = Table(
    "purchase_locks",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("show_id", ID, primary_key=True),
)

# The waiting room of a show (its line itself lives in the queue store).
waiting_rooms = Table(
    "waiting_rooms",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("opens_at", UTCDateTime, nullable=False),
    Column("admit_per_minute", Integer, nullable=False),
    Column("max_active", Integer),
    Column("window_minutes", Float, nullable=False),
    Column("seed", String(64), nullable=False),
    Column("drawn_at", UTCDateTime),
    Column("salt", String(64)),  # public: pseudonymous lottery ids are HMAC(salt, account id)
    Column("beacon", String(200)),  # public value the organiser mixes into the draw
)

# The audit trail (audit/): append-only; migration 0003 adds triggers that
# refuse UPDATE and DELETE. No foreign keys: the trail outlives what it names.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("entity", String(16), nullable=False),
    Column("entity_id", ID, nullable=False),
    Column("action", String(16), nullable=False),
    Column("show_id", ID, nullable=False),
    Column("section_id", ID),
    Column("account_id", ID),
    Column("hold_id", ID),
    Column("order_id", ID),
    Column("quantity", Integer, nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_audit_events_hold", "hold_id"),
    Index("ix_audit_events_order", "order_id"),
    Index("ix_audit_events_entity", "entity", "entity_id"),
)

# The outbox (outbox/): messages written in the transaction of the change they
# report, delivered later by the outbox worker. dedupe_key makes enqueueing
# idempotent; a worker claims a due row by a conditional UPDATE (status and
# next_attempt_at), and while it is claimed next_attempt_at is the claim's end,
# so a worker that died leaves the row due again. No foreign keys: a message
# outlives what it names (as the audit trail does).
outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("account_id", ID),
    Column("recipient", String(254)),
    Column("payload", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claim", String(32)),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(500)),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'dead')", name="status"),
    Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    Index("ix_outbox_messages_recipient", "recipient", "created_at"),
)

# Asynchronous payments (payments/): one row per order paid by an asynchronous
# method (Pix), from the charge to its outcome; the webhook events already
# applied (their ids make a re-delivered event a no-op).
payments = Table(
    "payments",
    metadata,
    Column("order_id", ID, ForeignKey("orders.id"), primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("method", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("copy_paste", Text, nullable=False),
    Column("pay_url", String(500)),
    Column("hold_id", ID, nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_payments_status_deadline", "status", "deadline"),
    Index("ix_payments_hold", "hold_id", "status"),
)

payment_events = Table(
    "payment_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("reference", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

# Presale (presale/): a show's registration window and code lottery; the fans
# registered (one row per account); the codes drawn (one per winner, bound to
# the account; redeemed_at marks the single use that unlocks the presale).
presales = Table(
    "presales",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("registration_opens_at", UTCDateTime, nullable=False),
    Column("registration_closes_at", UTCDateTime, nullable=False),
    Column("general_sale_at", UTCDateTime, nullable=False),
    Column("seed", String(64), nullable=False),
    Column("commitment", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("drawn_at", UTCDateTime),
    Column("codes_drawn", Integer, nullable=False, default=0),
)

presale_registrations = Table(
    "presale_registrations",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("registered_at", UTCDateTime, nullable=False),
)

presale_codes = Table(
    "presale_codes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("redeemed_at", UTCDateTime),
    UniqueConstraint("show_id", "account_id", name="uq_presale_codes_show_account"),
)

# -- after the sale (issue 19): refunds, transfers, resale, waiting list,
# notifications. Columns added to tickets and orders: see migration 0010_after_sale.
# tickets.status: valid | listed (in a live resale listing: cannot be checked
# in) | void (replaced by a transfer or a resale: its code is dead) | refunded.
# A void or refunded ticket gives up its seat_id (kept in its audit row), so
# the unique seat_id still means "a seat in at most one ticket that counts".
tickets.append_column(Column("status", String(12), nullable=False, server_default="valid"))
tickets.append_column(Column("transfers", Integer, nullable=False, server_default="0"))
tickets.append_column(Column("previous_id", ID))
orders.append_column(Column("refunded_cents", BigInteger, nullable=False, server_default="0"))

# The organiser's after-sale rules of a show (no row = the defaults of after_sale/domain.py).
after_sale_rules = Table(
    "after_sale_rules",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("transfers_enabled", Boolean, nullable=False),
    Column("transfer_until", UTCDateTime),
    Column("max_transfers", Integer, nullable=False),
    Column("fan_refunds", Boolean, nullable=False),
    Column("refund_until", UTCDateTime),
    Column("resale_enabled", Boolean, nullable=False),
    Column("resale_cap_percent", Integer, nullable=False),
    Column("offer_minutes", Integer, nullable=False),
    Column("rotating_codes", Boolean, nullable=False),
    Column("cancelled_at", UTCDateTime),
)

# Money going back to a fan: written with the change that causes it (status
# pending), sent to the gateway after the commit, marked done; a failed send
# stays pending and the retry job sends it again (the refund id is the
# gateway's idempotency key, so a retry never pays twice).
refunds = Table(
    "refunds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, ForeignKey("orders.id"), nullable=False),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(24), nullable=False),
    Column("status", String(12), nullable=False),
    Column("payment_reference", String(64)),
    Column("requested_by", ID, nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("settled_at", UTCDateTime),
    CheckConstraint("amount_cents > 0", name="amount_positive"),
    UniqueConstraint("requested_by", "idempotency_key", name="uq_refunds_idempotency"),
    Index("ix_refunds_order", "order_id"),
    Index("ix_refunds_status", "status"),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("old_ticket_id", ID, ForeignKey("tickets.id"), nullable=False, unique=True),
    Column("new_ticket_id", ID, ForeignKey("tickets.id"), nullable=False, unique=True),
    Column("from_account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("to_account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("from_account_id", "idempotency_key", name="uq_transfers_idempotency"),
)

# A ticket is in at most one live (open or reserved) listing: the ticket's
# status moves valid -> listed by a conditional UPDATE, and this table's
# live_ticket column (the ticket id while live, NULL after) is unique.
resale_listings = Table(
    "resale_listings",
    metadata,
    Column("id", ID, primary_key=True),
    Column("ticket_id", ID, ForeignKey("tickets.id"), nullable=False),
    Column("live_ticket", ID, unique=True),
    Column("seller_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("show_id", ID, ForeignKey("shows.id"), nullable=False),
    Column("section_id", ID, ForeignKey("sections.id"), nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("buyer_id", ID),
    Column("reserved_until", UTCDateTime),
    Column("buyer_key", String(200)),
    Column("order_id", ID),
    Column("new_ticket_id", ID),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("price_cents > 0", name="price_positive"),
    Index("ix_resale_listings_show", "show_id", "status"),
)

# One place per account and show; offers are holds reserved for that fan.
waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("id", ID, primary_key=True),
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("section_id", ID, ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("joined_at", UTCDateTime, nullable=False),
    Column("hold_id", ID),
    Column("offer_expires_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    UniqueConstraint("show_id", "account_id", name="uq_waitlist_entries_place"),
    Index("ix_waitlist_entries_line", "section_id", "status", "joined_at"),
)

# What a fan is told (offer, transfer, resale sold, refund): the list on the
# fan's pages. Its email goes through the outbox (outbox_messages), written
# in the same transaction (notifications/service.py notify).
notifications = Table(
    "notifications",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("show_id", ID),
    Column("data", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
    Index("ix_notifications_account", "account_id", "created_at"),
)

# Vouchers (vouchers/): created in bulk by an organiser; each use names the
# order (or the presale unlock) it was applied to, so a use counts only while
# that order is pending or paid.
vouchers = Table(
    "vouchers",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("percent_off", Integer),
    Column("amount_off_cents", BigInteger),
    Column("max_uses", Integer, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("label", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('discount', 'access')", name="kind"),
    Index("ix_vouchers_show", "show_id", "created_at"),
)

voucher_uses = Table(
    "voucher_uses",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(32), ForeignKey("vouchers.code", ondelete="CASCADE"), nullable=False),
    Column("account_id", ID, nullable=False),
    Column("order_id", ID),  # None: an access voucher's presale unlock (always counts)
    Column("discount_cents", BigInteger, nullable=False),
    Column("used_at", UTCDateTime, nullable=False),
    Index("ix_voucher_uses_code", "code"),
    Index("ix_voucher_uses_order", "order_id"),
)

# The published entrants of a waiting room's lottery (waitingroom/): their
# pseudonymous ids in the drawn order, one per line, written once at the draw.
lottery_draws = Table(
    "lottery_draws",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("entrants", Text, nullable=False),
)

show_posters = Table(
    "show_posters",
    metadata,
    Column("show_id", ID, ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
    Column("content_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
)

# Organiser webhook endpoints (webhooks/). Their deliveries are outbox
# messages of kind webhook.delivery whose recipient is the endpoint id.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", ID, primary_key=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("events", String(200), nullable=False),  # comma-separated
    Column("description", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", ID, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

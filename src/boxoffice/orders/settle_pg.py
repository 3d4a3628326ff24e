"""Settling a batch of approved orders on PostgreSQL, straight through asyncpg.

The same reads, locks and writes as `UnitOfWorkSettleStore` (orders/settle.py),
in the same order, as fixed SQL texts asyncpg prepares once per connection:
the holds with their seats' labels in one query, the sections' locks in one
(sorted), the orders' and holds' states in one, and the whole write —
holds converted, counters and seats sold, orders paid or failed, tickets
and audit rows — in one statement whose counts are checked against the
decision. Four round trips and a commit for the batch, where the unit of
work sent ~10 statements per order. Connections and their lifecycle are the
hold batch's (holds/batch_pg.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boxoffice.audit.domain import AuditEvent
from boxoffice.audit.repository import audit_row
from boxoffice.holds.batch_pg import AUDIT_COLUMNS, fetch_show
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.inventory.domain import Show
from boxoffice.ids import new_id
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.repository import created_event, issued_event, settled_event
from boxoffice.outbox.repository import insert_args  # the columns of outbox.repository.INSERT_SQL
from boxoffice.orders.settle import Paid, Refused, State, converted_event, sold_per_section
from boxoffice.storage import locking
from boxoffice.storage.database import Database
from boxoffice.storage.direct import direct_transactions
from boxoffice.storage.uow import CommitObserver, notify_committed

HOLDS = """SELECT h.id, h.account_id, h.show_id, h.section_id, h.quantity, h.status, h.created_at,
                  h.expires_at, h.fingerprint, h.idempotency_key,
                  ARRAY(SELECT s.id FROM hold_seats AS hs JOIN seats AS s ON s.id = hs.seat_id
                        WHERE hs.hold_id = h.id ORDER BY s.id) AS seat_ids,
                  ARRAY(SELECT s.row_label || '-' || s.number FROM hold_seats AS hs
                        JOIN seats AS s ON s.id = hs.seat_id
                        WHERE hs.hold_id = h.id ORDER BY s.id) AS seat_labels
           FROM holds AS h WHERE h.id = ANY($1::varchar[])"""
STATES = """SELECT o.id, o.status, h.status AS hold_status, h.expires_at
            FROM orders AS o JOIN holds AS h ON h.id = o.hold_id
            WHERE o.id = ANY($1::varchar[])"""
WRITE = """WITH converted AS (
             UPDATE holds SET status = 'converted'
             WHERE id = ANY($1::varchar[]) AND status = 'active' AND expires_at > $2 RETURNING id
           ), sold AS (
             UPDATE sections AS s SET held_count = s.held_count - q.n, sold_count = s.sold_count + q.n
             FROM unnest($3::varchar[], $4::int[]) AS q (id, n) WHERE s.id = q.id RETURNING s.id
           ), seats_sold AS (
             UPDATE seats SET sold = true, held_until = NULL
             FROM unnest($5::int[], $6::varchar[]) AS x (seat_id, hold_id)
             WHERE seats.id = x.seat_id AND seats.hold_id = x.hold_id AND NOT seats.sold
             RETURNING seats.id
           ), settled AS (
             UPDATE orders AS o SET status = x.status, updated_at = $2,
                                    payment_reference = x.reference, failure_reason = x.reason
             FROM unnest($7::varchar[], $8::varchar[], $9::varchar[], $10::varchar[])
               AS x (id, status, reference, reason)
             WHERE o.id = x.id AND o.status = 'pending' RETURNING o.id
           ), new_tickets AS (
             INSERT INTO tickets (id, code, order_id, account_id, show_id, section_id, seat_id,
                                  price_cents, issued_at)
             SELECT * FROM unnest($11::varchar[], $12::varchar[], $13::varchar[], $14::varchar[],
                                  $15::varchar[], $16::varchar[], $17::int[], $18::bigint[],
                                  $19::timestamptz[])
           ), new_events AS (
             INSERT INTO audit_events (at, entity, entity_id, action, show_id, section_id,
                                       account_id, hold_id, order_id, quantity, detail)
             SELECT * FROM unnest($20::timestamptz[], $21::varchar[], $22::varchar[],
                                  $23::varchar[], $24::varchar[], $25::varchar[], $26::varchar[],
                                  $27::varchar[], $28::varchar[], $29::int[], $30::text[])
           ), new_messages AS (
             INSERT INTO outbox_messages (id, kind, dedupe_key, account_id, recipient, payload,
                                          status, attempts, created_at, next_attempt_at)
             SELECT * FROM unnest($31::varchar[], $32::varchar[], $33::varchar[], $34::varchar[],
                                  $35::varchar[], $36::text[], $37::varchar[], $38::int[],
                                  $39::timestamptz[], $40::timestamptz[])
             ON CONFLICT (dedupe_key) DO NOTHING
           )
           SELECT (SELECT count(*) FROM converted), (SELECT count(*) FROM sold),
                  (SELECT count(*) FROM seats_sold), (SELECT count(*) FROM settled)"""


# Opening an order for a live hold in one statement: the same checks as the
# unit of work's `_open` (the hold is the account's, ACTIVE and unexpired, not
# paid, no asynchronous payment pending for it), the PENDING order and its
# audit row. No row back means "not the plain case" (an earlier order under
# this key, or a refusal to explain): the unit of work then decides and says why.
OPEN = """WITH h AS (
            SELECT h.id, h.show_id, s.price_cents * h.quantity AS amount, sh.currency
            FROM holds AS h JOIN sections AS s ON s.id = h.section_id JOIN shows AS sh ON sh.id = h.show_id
            WHERE h.id = $1 AND h.account_id = $2 AND h.status = 'active' AND h.expires_at > $3
              AND NOT EXISTS (SELECT FROM orders WHERE hold_id = h.id AND status = 'paid')
              AND NOT EXISTS (SELECT FROM payments WHERE hold_id = h.id AND status = 'pending')
          ), new_order AS (
            INSERT INTO orders (id, account_id, hold_id, show_id, status, amount_cents, currency,
                                idempotency_key, created_at, updated_at)
            SELECT $4, $2, h.id, h.show_id, 'pending', h.amount, h.currency, $5, $3, $3 FROM h
            ON CONFLICT (account_id, idempotency_key) DO NOTHING
            RETURNING show_id, amount_cents, currency
          ), new_event AS (
            INSERT INTO audit_events (at, entity, entity_id, action, show_id, section_id, account_id,
                                      hold_id, order_id, quantity, detail)
            SELECT $3, 'order', $4, 'created', show_id, NULL, $2, $1, $4, 0,
                   '{"amount_cents": ' || amount_cents || ', "currency": "' || currency || '"}'
            FROM new_order
          )
          SELECT show_id, amount_cents, currency FROM new_order"""


def postgres_open(database: Database, on_commit: CommitObserver | None):  # type: ignore[no-untyped-def]
    """OrderService's `direct_open` on PostgreSQL: one statement, its own
    commit; the new PENDING order, or None for the unit of work to decide."""

    async def open_order(account_id: str, hold_id: str, key: str, now: datetime) -> Order | None:
        order_id = new_id()
        async with database.engine.connect() as pooled:
            conn = (await pooled.get_raw_connection()).driver_connection
            row = await conn.fetchrow(OPEN, hold_id, account_id, now, order_id, key)
        if row is None:
            return None
        order = Order(
            id=order_id, account_id=account_id, hold_id=hold_id, show_id=row["show_id"],
            status=OrderStatus.PENDING, amount_cents=row["amount_cents"], currency=row["currency"],
            idempotency_key=key, created_at=now, updated_at=now,
        )  # fmt: skip
        if on_commit is not None:
            notify_committed(on_commit, [created_event(order)])
        return order

    return open_order


class PostgresSettleStore:
    """A SettleStore (orders/settle.py) on one asyncpg connection inside a transaction."""

    def __init__(self, conn: Any, transaction: Any, on_commit: CommitObserver | None) -> None:
        self._conn = conn
        self._transaction = transaction
        self._on_commit = on_commit
        self._events: list[AuditEvent] = []
        self.committed = False

    async def holds(self, hold_ids: list[str]) -> list[Hold]:
        rows = {r["id"]: r for r in await self._conn.fetch(HOLDS, list(set(hold_ids)))}
        return [_hold(rows[hold_id]) for hold_id in hold_ids]

    async def show(self, show_id: str) -> Show | None:
        return await fetch_show(self._conn, show_id)

    async def lock_sections(self, section_ids: list[str]) -> None:
        await locking.lock_sections_on(self._conn, section_ids)

    async def states(self, order_ids: list[str]) -> dict[str, State]:
        rows = await self._conn.fetch(STATES, order_ids)
        return {r["id"]: State(OrderStatus(r["status"]), HoldStatus(r["hold_status"]), r["expires_at"])
                for r in rows}  # fmt: skip

    async def write(self, paid: list[Paid], refused: list[Refused], now: datetime) -> None:
        sold = sold_per_section(paid)
        seats = [(seat_id, p.hold.id) for p in paid for seat_id in p.hold.seat_ids]
        tickets = [t for p in paid for t in p.tickets]
        settled = [(p.order.id, OrderStatus.PAID.value, p.reference, None) for p in paid] + [
            (r.order.id, OrderStatus.FAILED.value, r.reference, r.reason) for r in refused
        ]
        events = [
            *(converted_event(p.hold, now) for p in paid),
            *(issued_event(t) for t in tickets),
            *(settled_event(p.order, OrderStatus.PAID, now, p.reference, None) for p in paid),
            *(settled_event(r.order, OrderStatus.FAILED, now, r.reference, r.reason) for r in refused),
        ]
        rows = [audit_row(e) for e in events]
        messages = [insert_args(m) for p in paid for m in p.messages]
        counts = await self._conn.fetchrow(
            WRITE, [p.hold.id for p in paid], now, list(sold), list(sold.values()),
            [s for s, _ in seats], [h for _, h in seats],
            *(list(column) for column in zip(*settled, strict=True)) if settled else ([], [], [], []),
            [t.id for t in tickets], [t.code for t in tickets], [t.order_id for t in tickets],
            [t.account_id for t in tickets], [t.show_id for t in tickets], [t.section_id for t in tickets],
            [t.seat_id for t in tickets], [t.price_cents for t in tickets], [t.issued_at for t in tickets],
            *([row[column] for row in rows] for column in AUDIT_COLUMNS),
            *(list(column) for column in zip(*messages, strict=True)) if messages else ([],) * 10,
        )  # fmt: skip
        if tuple(counts) != (len(paid), len(sold), len(seats), len(settled)):
            raise RuntimeError(f"orders or holds moved under their section locks: {tuple(counts)}")
        self._events.extend(events)

    async def commit(self) -> None:
        await self._transaction.commit()
        self.committed = True
        if self._on_commit is not None and self._events:
            notify_committed(self._on_commit, self._events)


def _hold(row: Any) -> Hold:
    return Hold(
        id=row["id"], account_id=row["account_id"], show_id=row["show_id"],
        section_id=row["section_id"], quantity=row["quantity"], status=HoldStatus(row["status"]),
        created_at=row["created_at"], expires_at=row["expires_at"], fingerprint=row["fingerprint"],
        idempotency_key=row["idempotency_key"], seat_ids=tuple(row["seat_ids"]),
        seat_labels=tuple(row["seat_labels"]),
    )  # fmt: skip


def postgres_settle_stores(database: Database, on_commit: CommitObserver | None):  # type: ignore[no-untyped-def]
    """A SettleStores factory for OrderService: each batch in its own
    transaction on a pooled connection (storage/direct.py)."""
    return direct_transactions(database, lambda conn, tx: PostgresSettleStore(conn, tx, on_commit))

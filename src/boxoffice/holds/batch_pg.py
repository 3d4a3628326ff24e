"""The hold batch's statements on PostgreSQL, sent straight through asyncpg.

A batch is the hot path of a flash sale, and through SQLAlchemy most of its
CPU went to building, caching and compiling statements and wrapping results
(py-spy: ~30% of a worker's time during a hold flood), not to PostgreSQL.
Here the same reads and writes, in the same order and under the same locks
as the unit of work's (the locks themselves in storage/locking.py), are fixed SQL texts that asyncpg
prepares once per connection. The connection comes from the engine's own
pool (same lock_timeout, same lifecycle); SQLAlchemy runs nothing on it
while a batch has it.

What changes nothing but the round trips: the show comes with its sections
in one query, and the counter update, the holds and their audit events are
one statement (the inserts happen only if the conditional update did). What is not here: reclaiming dead holds. When a
request does not fit, the store looks whether the section has any; only if
it does (rare: a full section whose holds expired since the sweeper ran) it
raises ReclaimElsewhere and the batch runs again through the unit of work,
which reclaims them. Any other failure is the batch
failing: group commit then decides each request alone (storage/groupcommit.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boxoffice.audit.repository import audit_row
from boxoffice.holds.batch import ReclaimElsewhere
from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.holds.repository import ACTIVE, created_event
from boxoffice.inventory.best import PlacedSeat
from boxoffice.inventory.domain import Show
from boxoffice.inventory.repository import show_from_rows
from boxoffice.storage import locking
from boxoffice.storage.database import Database
from boxoffice.storage.direct import direct_transactions
from boxoffice.storage.uow import CommitObserver, notify_committed

SHOW = """SELECT sh.id, sh.name, sh.venue, sh.starts_at, sh.sale_opens_at, sh.sale_closes_at,
                 sh.per_account_limit, sh.currency, sh.created_at, sh.timezone, sh.poster_version,
                 s.id AS s_id, s.show_id AS s_show_id, s.name AS s_name, s.kind AS s_kind,
                 s.price_cents AS s_price_cents, s.capacity AS s_capacity,
                 s.sold_count AS s_sold_count, s.held_count AS s_held_count, s.position AS s_position
          FROM shows AS sh LEFT JOIN sections AS s ON s.show_id = sh.id
          WHERE sh.id = $1 ORDER BY s.position, s.name"""
REPLAYS = """SELECT h.id, h.account_id, h.show_id, h.section_id, h.quantity, h.status, h.created_at,
                    h.expires_at, h.fingerprint, h.idempotency_key,
                    ARRAY(SELECT seat_id FROM hold_seats WHERE hold_id = h.id ORDER BY seat_id) AS seat_ids
             FROM holds AS h JOIN unnest($1::varchar[], $2::varchar[]) AS k (account_id, idempotency_key)
               ON h.account_id = k.account_id AND h.idempotency_key = k.idempotency_key"""
# Per account (a lateral subquery each), so the plan is an index lookup by
# account whatever the statistics say: with `account_id = ANY(...)` over the
# whole batch, a table that grew since it was last analysed was planned as a
# scan of every live hold of the show (8 ms at 40,000 holds, growing).
TICKETS_USED = """SELECT a.account_id,
                         (SELECT coalesce(sum(h.quantity), 0) FROM holds AS h
                          WHERE h.account_id = a.account_id AND h.show_id = $2 AND h.status = $3
                            AND h.expires_at > $4)
                         + (SELECT count(*) FROM tickets AS t
                            WHERE t.account_id = a.account_id AND t.show_id = $2
                              AND t.status IN ('valid', 'listed'))
                  FROM unnest($1::varchar[]) AS a (account_id)"""
ANY_DEAD = """SELECT EXISTS (SELECT 1 FROM holds
                             WHERE section_id = $1 AND status = $2 AND expires_at <= $3)"""
# The counter update decides; the holds and their audit rows go in only if it
# happened, all in one statement. Returns how many section rows it updated.
ADD_HOLDS = """WITH taken AS (
                 UPDATE sections SET held_count = held_count + $22
                 WHERE id = $23 AND capacity - sold_count - held_count >= $22 RETURNING id
               ), new_holds AS (
                 INSERT INTO holds (id, account_id, show_id, section_id, quantity, status, created_at,
                                    expires_at, idempotency_key, fingerprint)
                 SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[],
                                      $5::int[], $6::varchar[], $7::timestamptz[], $8::timestamptz[],
                                      $9::varchar[], $10::varchar[])
                 WHERE EXISTS (SELECT FROM taken)
               ), new_events AS (
                 INSERT INTO audit_events (at, entity, entity_id, action, show_id, section_id,
                                           account_id, hold_id, order_id, quantity, detail)
                 SELECT * FROM unnest($11::timestamptz[], $12::varchar[], $13::varchar[],
                                      $14::varchar[], $15::varchar[], $16::varchar[], $17::varchar[],
                                      $18::varchar[], $19::varchar[], $20::int[], $21::text[])
                 WHERE EXISTS (SELECT FROM taken)
               )
               SELECT count(*) FROM taken"""
SECTION_SEATS = """SELECT id, row_label, number,
                        NOT sold AND (held_until IS NULL OR held_until <= $2) AS free
                 FROM seats WHERE section_id = $1"""
# The batch's seats in one statement (only if every one is still free: the
# count says) with their hold_seats rows; runs after ADD_HOLDS made the holds.
CLAIM_SEATS = """WITH claim AS (
                   SELECT * FROM unnest($1::int[], $2::varchar[], $3::timestamptz[])
                     AS c (seat_id, hold_id, until)
                 ), claimed AS (
                   UPDATE seats SET hold_id = claim.hold_id, held_until = claim.until FROM claim
                   WHERE seats.id = claim.seat_id AND seats.section_id = $4 AND NOT seats.sold
                     AND (seats.held_until IS NULL OR seats.held_until <= $5)
                   RETURNING seats.id
                 ), linked AS (
                   INSERT INTO hold_seats (hold_id, seat_id) SELECT hold_id, seat_id FROM claim
                 )
                 SELECT count(*) FROM claimed"""
AUDIT_COLUMNS = ("at", "entity", "entity_id", "action", "show_id", "section_id", "account_id",
                 "hold_id", "order_id", "quantity", "detail")  # fmt: skip


class _Fields:
    """A record read by attribute, as the repositories' row mappers expect
    (columns named with `prefix` + the attribute)."""

    __slots__ = ("_record", "_prefix")

    def __init__(self, record: Any, prefix: str = "") -> None:
        self._record = record
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        return self._record[self._prefix + name]


async def fetch_show(conn: Any, show_id: str) -> Show | None:
    """A show with its sections, in one query."""
    rows = await conn.fetch(SHOW, show_id)
    if not rows:
        return None
    sections = [_Fields(row, "s_") for row in rows if row["s_id"] is not None]
    return show_from_rows(_Fields(rows[0]), sections)


class PostgresBatchStore:
    """A BatchStore (holds/batch.py) on one asyncpg connection inside a transaction."""

    def __init__(self, conn: Any, transaction: Any, on_commit: CommitObserver | None) -> None:
        self._conn = conn
        self._transaction = transaction
        self._on_commit = on_commit
        self._events: list[Any] = []
        self.committed = False

    async def show(self, show_id: str) -> Show | None:
        return await fetch_show(self._conn, show_id)

    async def lock_purchases(self, account_ids: list[str], show_id: str) -> None:
        await locking.lock_purchases_on(self._conn, account_ids, show_id)

    async def replays(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Hold]:
        if not keys:
            return {}
        rows = await self._conn.fetch(REPLAYS, [a for a, _ in keys], [k for _, k in keys])
        return {(r["account_id"], r["idempotency_key"]): _hold(r) for r in rows}

    async def tickets_used_by(self, account_ids: list[str], show_id: str, now: datetime) -> dict[str, int]:
        accounts = sorted(set(account_ids))
        rows = await self._conn.fetch(TICKETS_USED, accounts, show_id, ACTIVE, now)
        return {account_id: int(count) for account_id, count in rows}

    async def lock_section_free(self, section_id: str) -> int | None:
        return await locking.lock_section_free_on(self._conn, section_id)

    async def reclaim(self, section_id: str, now: datetime) -> None:
        if await self._conn.fetchval(ANY_DEAD, section_id, ACTIVE, now):
            raise ReclaimElsewhere(section_id)

    async def section_seats(self, section_id: str, now: datetime) -> list[PlacedSeat]:
        rows = await self._conn.fetch(SECTION_SEATS, section_id, now)
        return [PlacedSeat(r["id"], r["row_label"], r["number"], r["free"]) for r in rows]

    async def add(self, section_id: str, new: list[Hold], now: datetime) -> None:
        events = [created_event(h) for h in new]
        rows = [audit_row(e) for e in events]
        taken = await self._conn.fetchval(
            ADD_HOLDS,
            [h.id for h in new], [h.account_id for h in new], [h.show_id for h in new],
            [h.section_id for h in new], [h.quantity for h in new], [h.status.value for h in new],
            [h.created_at for h in new], [h.expires_at for h in new],
            [h.idempotency_key for h in new], [h.fingerprint for h in new],
            *([row[column] for row in rows] for column in AUDIT_COLUMNS),
            sum(h.quantity for h in new), section_id,
        )  # fmt: skip
        if taken != 1:
            raise RuntimeError("section counters moved under the section lock")
        claims = [(seat_id, h.id, h.expires_at) for h in new for seat_id in h.seat_ids]
        if claims:
            claimed = await self._conn.fetchval(
                CLAIM_SEATS, [c[0] for c in claims], [c[1] for c in claims],
                [c[2] for c in claims], section_id, now,
            )  # fmt: skip
            if claimed != len(claims):
                raise RuntimeError("seats moved under the section lock")
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
    )  # fmt: skip


def postgres_replay(database: Database):  # type: ignore[no-untyped-def]
    """HoldService's look for an earlier hold under an Idempotency-Key, in one
    statement on a pooled connection (no transaction): what every refused
    request that carried a key asks before answering with its refusal."""

    async def replay(account_id: str, key: str) -> Hold | None:
        async with database.engine.connect() as pooled:
            conn = (await pooled.get_raw_connection()).driver_connection
            row = await conn.fetchrow(REPLAYS, [account_id], [key])
        return None if row is None else _hold(row)

    return replay


def postgres_batch_stores(database: Database, on_commit: CommitObserver | None):  # type: ignore[no-untyped-def]
    """A BatchStores factory for HoldBatcher: each batch in its own
    transaction on a pooled connection (storage/direct.py)."""
    return direct_transactions(database, lambda conn, tx: PostgresBatchStore(conn, tx, on_commit))

"""Outbox messages in SQL (one implementation for SQLite and PostgreSQL).

Contested changes are conditional UPDATEs whose row count (or RETURNING)
says who won: a claim takes only rows still due, and only the holder of the
current claim may mark a row sent or failed, so two workers never both
deliver one claim and a worker whose claim expired cannot overwrite the
outcome of the worker that took the row over.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.outbox.domain import Message, Status
from boxoffice.storage.tables import outbox_messages as t

_LIVE = (Status.PENDING.value, Status.SENDING.value)


def _row(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "kind": message.kind,
        "dedupe_key": message.dedupe_key,
        "account_id": message.account_id,
        "recipient": message.recipient,
        "payload": message.payload_json(),
        "status": message.status.value,
        "attempts": message.attempts,
        "created_at": message.created_at,
        "next_attempt_at": message.next_attempt_at or message.created_at,
    }


# For code that writes without SQLAlchemy (asyncpg batches on PostgreSQL):
# the same insert, positional, idempotent by dedupe_key.
INSERT_SQL = (
    "INSERT INTO outbox_messages (id, kind, dedupe_key, account_id, recipient, payload, status,"
    " attempts, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)


def insert_args(message: Message) -> tuple[object, ...]:
    row = _row(message)
    return tuple(row[c] for c in (
        "id", "kind", "dedupe_key", "account_id", "recipient", "payload", "status",
        "attempts", "created_at", "next_attempt_at",
    ))  # fmt: skip


def _message(row) -> Message:  # type: ignore[no-untyped-def]
    return Message(
        id=row.id,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        payload=json.loads(row.payload),
        created_at=row.created_at,
        account_id=row.account_id,
        recipient=row.recipient,
        status=Status(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claim=row.claim,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


class OutboxRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, messages: Sequence[Message]) -> int:
        """Insert the messages whose dedupe_key is new; returns how many were new."""
        if not messages:
            return 0
        insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        statement = insert(t).on_conflict_do_nothing(index_elements=["dedupe_key"])
        result = await self._conn.execute(statement.returning(t.c.id), [_row(m) for m in messages])
        return len(result.all())

    async def due(self, kinds: Sequence[str], now: datetime, limit: int) -> list[str]:
        rows = await self._conn.execute(
            select(t.c.id)
            .where(t.c.status.in_(_LIVE), t.c.next_attempt_at <= now, t.c.kind.in_(kinds))
            .order_by(t.c.next_attempt_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    async def claim(
        self, ids: Sequence[str], claim: str, now: datetime, until: datetime
    ) -> list[Message]:
        """Take the rows of `ids` that are still due; the others went to another worker."""
        if not ids:
            return []
        rows = await self._conn.execute(
            update(t)
            .where(t.c.id.in_(ids), t.c.status.in_(_LIVE), t.c.next_attempt_at <= now)
            .values(
                status=Status.SENDING.value,
                claim=claim,
                next_attempt_at=until,
                attempts=t.c.attempts + 1,
            )
            .returning(*t.c)
        )
        return sorted((_message(r) for r in rows), key=lambda m: m.next_attempt_at or now)

    async def finish(
        self,
        message: Message,
        status: Status,
        *,
        now: datetime,
        retry_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        """Record the outcome of this claim; False if the claim is no longer ours."""
        values: dict[str, object] = {"status": status.value, "claim": None, "last_error": error}
        if status is Status.SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        result = await self._conn.execute(
            update(t)
            .where(and_(t.c.id == message.id, t.c.claim == message.claim, t.c.status == Status.SENDING.value))
            .values(**values)
        )
        return result.rowcount == 1

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` messages sent before `before` (a sent message's
        next_attempt_at is its last claim's end: the due index finds them)."""
        old = (
            select(t.c.id)
            .where(t.c.status == Status.SENT.value, t.c.next_attempt_at < before)
            .limit(limit)
            .scalar_subquery()
        )
        result = await self._conn.execute(delete(t).where(t.c.id.in_(old)))
        return result.rowcount or 0

    async def get(self, message_id: str) -> Message | None:
        row = (await self._conn.execute(select(t).where(t.c.id == message_id))).first()
        return _message(row) if row else None

    async def by_dedupe_key(self, dedupe_key: str) -> Message | None:
        row = (await self._conn.execute(select(t).where(t.c.dedupe_key == dedupe_key))).first()
        return _message(row) if row else None

    async def for_recipients(self, recipients: Sequence[str], kind: str, limit: int = 100) -> list[Message]:
        """The latest messages of one kind to these recipients (webhook deliveries of endpoints)."""
        if not recipients:
            return []
        rows = await self._conn.execute(
            select(t)
            .where(t.c.recipient.in_(recipients), t.c.kind == kind)
            .order_by(t.c.created_at.desc(), t.c.id)
            .limit(limit)
        )
        return [_message(r) for r in rows]

    async def backlog(self) -> tuple[dict[str, int], datetime | None]:
        """Messages not sent (pending, sending, dead) by status, and the oldest
        due time of a pending one. Sent messages are never counted (they pile up)."""
        rows = await self._conn.execute(
            select(t.c.status, func.count(), func.min(t.c.next_attempt_at))
            .where(t.c.status.in_([*_LIVE, Status.DEAD.value]))
            .group_by(t.c.status)
        )
        counts, oldest = {}, None
        for status, count, due in rows:
            counts[status] = count
            if status == Status.PENDING.value:
                oldest = due
        return counts, oldest

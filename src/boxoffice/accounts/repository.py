"""Accounts and sessions in SQL (one implementation for SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.accounts.domain import Account, Role, Session
from boxoffice.storage.tables import accounts, sessions


def _account(row) -> Account:  # type: ignore[no-untyped-def]
    return Account(
        id=row.id, email=row.email, name=row.name, role=Role(row.role), created_at=row.created_at,
        language=row.language,
    )


class AccountRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, account: Account, password_hash: str) -> None:
        await self._conn.execute(
            insert(accounts).values(
                id=account.id,
                email=account.email,
                name=account.name,
                role=account.role.value,
                password_hash=password_hash,
                created_at=account.created_at,
                language=account.language,
            )
        )

    async def get(self, account_id: str) -> Account | None:
        row = (await self._conn.execute(select(accounts).where(accounts.c.id == account_id))).first()
        return _account(row) if row else None

    async def by_email(self, email: str) -> tuple[Account, str] | None:
        row = (await self._conn.execute(select(accounts).where(accounts.c.email == email))).first()
        return (_account(row), row.password_hash) if row else None

    async def set_password_hash(self, account_id: str, password_hash: str) -> None:
        await self._conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash)
        )

    async def set_language(self, account_id: str, language: str) -> None:
        await self._conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(language=language)
        )

    async def set_role(self, account_id: str, role: Role) -> None:
        await self._conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(role=role.value)
        )


class SessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, session: Session) -> None:
        await self._conn.execute(
            insert(sessions).values(
                token_hash=session.token_hash,
                account_id=session.account_id,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    async def get(self, token_hash: str) -> Session | None:
        row = (
            await self._conn.execute(select(sessions).where(sessions.c.token_hash == token_hash))
        ).first()
        if row is None:
            return None
        return Session(
            token_hash=row.token_hash,
            account_id=row.account_id,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_seen_at=row.last_seen_at,
        )

    async def touch(self, token_hash: str, now: datetime) -> None:
        await self._conn.execute(
            update(sessions).where(sessions.c.token_hash == token_hash).values(last_seen_at=now)
        )

    async def revoke(self, token_hash: str, now: datetime) -> None:
        await self._conn.execute(
            update(sessions)
            .where(sessions.c.token_hash == token_hash, sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

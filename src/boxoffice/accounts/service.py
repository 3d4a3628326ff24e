"""Register, log in, log out, and who is calling."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from boxoffice import outbox
from boxoffice.accounts.domain import Account, Role, Session, hash_token, language_of, normalise_email
from boxoffice.accounts.passwords import Passwords
from boxoffice.accounts.policy import check_password_strength
from boxoffice.cache.sessions import SessionCache
from boxoffice.clock import Clock
from boxoffice.errors import EmailTaken, InvalidCredentials, NotAuthenticated
from boxoffice.ids import new_id, new_token
from boxoffice.storage.uow import UnitOfWorkFactory

log = logging.getLogger("boxoffice.accounts")


class AccountService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        passwords: Passwords,
        clock: Clock,
        session_days: float,
        sessions: SessionCache | None = None,
        idle_minutes: float = 30,
    ) -> None:
        self._uow = uow
        self._sessions = sessions
        self._passwords = passwords
        self._clock = clock
        self._session_lifetime = timedelta(days=session_days)
        self._idle = timedelta(minutes=idle_minutes)

    async def register(
        self, email: str, password: str, name: str, role: Role = Role.FAN, language: str = "en"
    ) -> Account:
        """A new account, welcomed by mail. For an email that has an account,
        EmailTaken, and its owner is told by mail that someone tried (at most
        once an hour), so registration can answer alike either way."""
        email = normalise_email(email)
        check_password_strength(password, email, name)
        now = self._clock.now()
        account = Account(
            id=new_id(), email=email, name=name.strip(), role=role, created_at=now,
            language=language_of(language),
        )  # fmt: skip
        password_hash = await self._passwords.hash(password)
        try:
            async with self._uow(write=True) as uow:
                found = await uow.accounts.by_email(email)
                if found is not None:
                    await _tell_owner(uow, found[0].id, now)
                    raise EmailTaken()
                await uow.accounts.add(account, password_hash)
                await outbox.enqueue(
                    uow, kind=outbox.EMAIL_REGISTRATION, account_id=account.id,
                    dedupe_key=f"registration:{account.id}", now=now,
                )  # fmt: skip
                await uow.commit()
        except IntegrityError as exc:
            raise EmailTaken() from exc
        return account

    async def sign_up(self, email: str, password: str, name: str, language: str = "en") -> Account | None:
        """Registration that does not tell whether the email has an account
        (ASVS 2.2/3.x: no enumeration): the new account, or None when the email
        is taken, after the same checks and the same hashing work. The caller
        answers both alike; the owner of a taken email is told by mail."""
        try:
            return await self.register(email, password, name, language=language)
        except EmailTaken:
            log.info("registration for an email that already has an account")
            return None

    async def set_language(self, account: Account, language: str) -> Account:
        language = language_of(language)
        async with self._uow(write=True) as uow:
            await uow.accounts.set_language(account.id, language)
            await uow.commit()
        return replace(account, language=language)

    async def login(self, email: str, password: str) -> tuple[Account, str]:
        """A new session token for the right password; the same error, after
        the same hashing work, for an unknown email and a wrong password."""
        email = normalise_email(email)
        async with self._uow() as uow:
            found = await uow.accounts.by_email(email)
        if found is None:
            await self._passwords.verify_dummy(password)
            raise InvalidCredentials()
        account, password_hash = found
        if not await self._passwords.verify(password_hash, password):
            raise InvalidCredentials()
        rehashed = None  # parameters changed since: upgrade the hash now (before the transaction)
        if self._passwords.needs_rehash(password_hash):
            rehashed = await self._passwords.hash(password)
        token = new_token()
        now = self._clock.now()
        session = Session(
            token_hash=hash_token(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + self._session_lifetime,
            last_seen_at=now,
        )
        async with self._uow(write=True) as uow:
            if rehashed is not None:
                await uow.accounts.set_password_hash(account.id, rehashed)
            await uow.sessions.add(session)
            await uow.commit()
        if self._sessions is not None:  # the fan's next request needs no database
            await self._sessions.remember(session.token_hash, account, session.live_until(self._idle))
        return account, token

    async def logout(self, token: str) -> None:
        token_hash = hash_token(token)
        async with self._uow(write=True) as uow:
            await uow.sessions.revoke(token_hash, self._clock.now())
            await uow.commit()
        if self._sessions is not None:
            await self._sessions.forget(token_hash)

    async def authenticate(self, token: str) -> Account:
        """The account of a live session: from the session cache when it knows, else the database.

        A session lives until its absolute expiry (BOXOFFICE_SESSION_DAYS) or
        BOXOFFICE_SESSION_IDLE_MINUTES after its last use, whichever is first.
        Use is recorded at most every quarter of the idle timeout (and a
        cached entry never outlives the session), so a session left alone ends
        between 3/4 of the idle timeout and all of it after its last use."""
        token_hash = hash_token(token)
        if self._sessions is not None:
            cached = await self._sessions.account(token_hash)
            if cached is not None:
                return cached
        async with self._uow() as uow:
            session = await uow.sessions.get(token_hash)
            now = self._clock.now()
            if session is None or not session.is_live(now, self._idle):
                raise NotAuthenticated()
            account = await uow.accounts.get(session.account_id)
        if account is None:
            raise NotAuthenticated()
        if session.needs_touch(now, self._idle):
            async with self._uow(write=True) as uow:
                await uow.sessions.touch(token_hash, now)
                await uow.commit()
            session = replace(session, last_seen_at=now)
        if self._sessions is not None:
            await self._sessions.remember(token_hash, account, session.live_until(self._idle))
        return account

    async def create_admin(self, email: str, password: str, name: str = "Organiser") -> Account:
        """Create an organiser account, or make an existing account one."""
        email = normalise_email(email)
        async with self._uow(write=True) as uow:
            found = await uow.accounts.by_email(email)
            if found is not None:
                account, _ = found
                check_password_strength(password, email, account.name)
                await uow.accounts.set_role(account.id, Role.ORGANISER)
                await uow.accounts.set_password_hash(account.id, await self._passwords.hash(password))
                await uow.commit()
                return replace(account, role=Role.ORGANISER)
        return await self.register(email, password, name, role=Role.ORGANISER)


async def _tell_owner(uow, account_id: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Mail the owner of a taken email; committed even though registration fails."""
    await outbox.enqueue(
        uow, kind=outbox.EMAIL_REGISTRATION_ATTEMPT, account_id=account_id,
        dedupe_key=f"registration-attempt:{account_id}:{now:%Y%m%d%H}", now=now,
    )  # fmt: skip
    await uow.commit()


"""Sending over SMTP (aiosmtplib) to BOXOFFICE_SMTP_URL.

URL forms: `smtp://host:port` (plain; add `?starttls=true` to upgrade),
`smtps://host:port` (TLS from the first byte); `user:password@` for AUTH.
Unset, the embedded default is a local mail catcher (catcher.py) this
process starts on a free loopback port the first time it sends.

A refused recipient (5xx) is Undeliverable (never retried); every other
failure (connection refused, timeout, 4xx) raises and the outbox retries it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from boxoffice.email.catcher import MailCatcher
from boxoffice.outbox.domain import Undeliverable


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("BOXOFFICE_SMTP_URL is smtp://host:port or smtps://host:port")
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"},
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class Mailer:
    """Sends one EmailMessage; to the configured server, or to the embedded catcher."""

    def __init__(self, url: str | None, catcher_folder: Path, timeout: float = 20.0) -> None:
        self._server = SmtpServer.parse(url) if url else None
        self._catcher = None if url else MailCatcher(catcher_folder)
        self._timeout = timeout
        self._starting = asyncio.Lock()

    @property
    def catcher(self) -> MailCatcher | None:
        return self._catcher

    async def send(self, message: EmailMessage) -> None:
        server = await self._target()
        try:
            await aiosmtplib.send(
                message,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.tls,
                start_tls=server.starttls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(500 <= refusal.code < 600 for refusal in exc.recipients):
                raise Undeliverable(str(exc)) from exc
            raise

    async def _target(self) -> SmtpServer:
        if self._server is not None:
            return self._server
        assert self._catcher is not None
        async with self._starting:
            if not self._catcher.running:
                await asyncio.to_thread(self._catcher.start)
        return SmtpServer(self._catcher.host, self._catcher.port)

    def close(self) -> None:
        if self._catcher is not None and self._catcher.running:
            self._catcher.stop()

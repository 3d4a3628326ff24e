"""The local mail catcher: an SMTP server (aiosmtpd) that keeps mail in a folder.

The embedded default's SMTP server (and the tests'): nothing leaves the
machine. Each mail is one `.eml` file in the folder, named after its
Message-ID, so a mail sent again after a crash (the outbox is at least
once, with a stable Message-ID) is stored once; `duplicates` counts the
repeats it dropped. MailFolder reads the folder for the /mail page and the
tests. Run one alone with `boxoffice mailcatcher`.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def file_name(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().encode()).hexdigest()[:32] + ".eml"


class _Keep:
    """aiosmtpd handler: store each mail once per Message-ID."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.duplicates = 0
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        raw: bytes = envelope.original_content or envelope.content
        message_id = parse(raw)["Message-ID"] or hashlib.sha256(raw).hexdigest()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / file_name(str(message_id))
        self.received += 1
        try:
            with path.open("xb") as f:
                f.write(raw)
        except FileExistsError:
            self.duplicates += 1
            return "250 OK (already delivered: same Message-ID)"
        return "250 OK"


class MailCatcher:
    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.folder = folder
        self.host = host
        self.port = port
        self._keep = _Keep(folder)
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def duplicates(self) -> int:
        return self._keep.duplicates

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> MailCatcher:
        if self.port == 0:
            self.port = free_port(self.host)
        self.folder.mkdir(parents=True, exist_ok=True)
        controller = Controller(self._keep, hostname=self.host, port=self.port, ready_timeout=30)
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass(frozen=True, slots=True)
class Mail:
    name: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def date(self) -> datetime:
        value = self.message["Date"]
        return parsedate_to_datetime(str(value)) if value else datetime.fromtimestamp(0, UTC)

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[union-attr]
        return text.replace("\r\n", "\n")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(file name, content type, content) of each attachment."""
        return [
            (part.get_filename() or "attachment", part.get_content_type(), part.get_payload(decode=True) or b"")
            for part in self.message.iter_attachments()
        ]  # type: ignore[misc]


class MailFolder:
    """The mail a catcher kept, newest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def all(self) -> list[Mail]:
        if not self.folder.is_dir():
            return []
        mails = [Mail(p.name, parse(p.read_bytes())) for p in self.folder.glob("*.eml")]
        return sorted(mails, key=lambda m: (m.date, m.name), reverse=True)

    def get(self, name: str) -> Mail | None:
        if not name.endswith(".eml") or "/" in name or name.startswith("."):
            return None
        path = self.folder / name
        return Mail(name, parse(path.read_bytes())) if path.is_file() else None

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.all() if address.lower() in m.to.lower()]

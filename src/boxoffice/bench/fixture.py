"""What a bench run sells and to whom: a scratch database, fans with session
tokens, the flash-sale show, and a roomy show for raw hold throughput.

On PostgreSQL the bench makes its own database (`boxoffice_bench` on the
server of the URL given) and drops it afterwards; on SQLite a temporary file.
Accounts get cheap password hashes (the bench measures selling, not argon2).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from boxoffice.accounts.passwords import Passwords, fast_hasher
from boxoffice.bootstrap import Container, build_container
from boxoffice.inventory.domain import RowSpec, SectionKind, SectionSpec, ShowSpec
from boxoffice.settings import Settings
from boxoffice.storage.database import Database
from boxoffice.storage.migrate import migrate

# Parallel runs on one server each set their own (BOXOFFICE_BENCH_DATABASE).
BENCH_DATABASE = os.environ.get("BOXOFFICE_BENCH_DATABASE", "boxoffice_bench")
PASSWORD = "bench password 0123"
SEATS_PER_ROW = 50


@dataclass(frozen=True, slots=True)
class Fixture:
    database_url: str | None  # None: SQLite in the data dir
    sale_show: str
    ga_section: str
    seated_section: str
    roomy_show: str
    roomy_section: str
    tokens: list[str]
    capacity: int  # tickets in the flash-sale show

    @property
    def roomy_hold(self) -> dict[str, object]:
        """One ticket of the roomy show: what the throughput phases post."""
        return {"show_id": self.roomy_show, "section_id": self.roomy_section, "quantity": 1}


def scratch_url(server_url: str) -> str:
    return make_url(server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


async def recreate_database(server_url: str) -> str:
    """A fresh, empty boxoffice_bench database on that PostgreSQL server."""
    url = make_url(server_url)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    finally:
        await admin.dispose()
    return scratch_url(server_url)


async def drop_database(server_url: str) -> None:
    url = make_url(server_url)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def bench_settings(data_dir: Path, database_url: str | None, redis_url: str | None) -> Settings:
    return Settings(
        env="test", data_dir=data_dir, database_url=database_url, redis_url=redis_url,
        secret_key="bench-secret-" + "x" * 32, cookie_secure=False,
    )  # fmt: skip


async def prepare(
    settings: Settings, *, fans: int, ga: int, seats: int, progress: Callable[[str], None]
) -> Fixture:
    container = build_container(settings, passwords=Passwords(fast_hasher()))
    try:
        await migrate(container.database)
        sale = await container.inventory.create_show(_show("Flash sale", ga, seats, container))
        roomy = await container.inventory.create_show(_show("Throughput", 200_000, 0, container, limit=100))
        tokens = await _fans(container, fans, progress)
        await _welcome_mails_sent(container)
    finally:
        await container.close()
    return Fixture(
        database_url=settings.database_url, sale_show=sale.id, ga_section=sale.sections[0].id,
        seated_section=sale.sections[1].id if seats else "", roomy_show=roomy.id,
        roomy_section=roomy.sections[0].id, tokens=tokens, capacity=ga + seats,
    )  # fmt: skip


FAN_EMAIL = "fan{}@bench.example.com"


def fan_index(email: str) -> int:
    """Which fan (index into Fixture.tokens) has this email."""
    return int(email.removeprefix("fan").split("@", 1)[0])


async def _fans(container: Container, count: int, progress: Callable[[str], None]) -> list[str]:
    tokens = []
    for i in range(count):
        email = FAN_EMAIL.format(i)
        await container.accounts.register(email, PASSWORD, f"Fan {i}")
        _, token = await container.accounts.login(email, PASSWORD)
        tokens.append(token)
        if (i + 1) % 1000 == 0:
            progress(f"{i + 1:,} of {count:,} fans signed up")
    return tokens


async def _welcome_mails_sent(container: Container) -> None:
    """The fans signed up days before the sale: their welcome mails went out
    then, not while the bench measures the sale."""
    from boxoffice import outbox
    from boxoffice.outbox.domain import Status
    from boxoffice.storage.tables import outbox_messages as t

    async with container.database.engine.begin() as conn:
        await conn.execute(
            t.update().where(t.c.kind == outbox.EMAIL_REGISTRATION, t.c.status == Status.PENDING.value)
            .values(status=Status.SENT.value, sent_at=container.clock.now())
        )  # fmt: skip


def _show(name: str, ga: int, seats: int, container: Container, limit: int = 4) -> ShowSpec:
    now = container.clock.now()
    sections = [SectionSpec("Pista", SectionKind.GA, 20_000, capacity=ga)]
    if seats:
        rows = tuple(
            RowSpec(f"R{r + 1}", min(SEATS_PER_ROW, seats - r * SEATS_PER_ROW))
            for r in range((seats + SEATS_PER_ROW - 1) // SEATS_PER_ROW)
        )
        sections.append(SectionSpec("Cadeira", SectionKind.SEATED, 40_000, rows=rows))
    return ShowSpec(
        name=name, venue="Bench Stadium", starts_at=now + timedelta(days=30),
        sale_opens_at=now - timedelta(minutes=5), sale_closes_at=now + timedelta(days=29),
        per_account_limit=limit, currency="BRL", sections=tuple(sections),
    )  # fmt: skip


def write_inputs(fixture: Fixture, folder: Path) -> dict[str, Path]:
    """Files the wrk script reads: tokens, and request bodies."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "tokens": folder / "tokens.txt",
        "hold_roomy": folder / "hold_roomy.json",
        "hold_sold_out": folder / "hold_sold_out.json",
    }
    files["tokens"].write_text("\n".join(fixture.tokens))
    files["hold_roomy"].write_text(json.dumps(fixture.roomy_hold))
    files["hold_sold_out"].write_text(
        json.dumps({"show_id": fixture.sale_show, "section_id": fixture.ga_section, "quantity": 1})
    )
    return files

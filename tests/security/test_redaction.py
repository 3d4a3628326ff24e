"""At DEBUG, with the SQL echo on, no secret reaches the log: not the
password, not its hash, not a session token or its hash, not a ticket code.
(Issue 17, finding 8.)"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog
from sqlalchemy import select

from boxoffice.accounts.domain import hash_token
from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.observability.logs import configure_logging
from boxoffice.storage.tables import accounts
from tests.support import PASSWORD, sign_up


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the test client's own lines name URLs
    yield stream
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)
    logging.getLogger().handlers.clear()
    logging.getLogger().setLevel(logging.WARNING)
    structlog.reset_defaults()


async def test_the_sql_echo_at_debug_carries_no_secret(
    debug_log: io.StringIO, client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await sign_up(client)
    hold = await fan.hold(show.id, show.sections[0].id, quantity=1)
    order = await fan.pay(hold.json()["hold_id"], "k1")
    code = order.json()["tickets"][0]["code"]
    assert (await fan.get(f"/api/v1/tickets/{code}")).status_code == 200
    async with container.database.engine.connect() as conn:
        password_hash = (await conn.execute(select(accounts.c.password_hash))).scalars().first()
    log = debug_log.getvalue()
    assert "SELECT" in log and "INSERT" in log  # the echo is on
    for secret in (PASSWORD, password_hash, fan.token, hash_token(fan.token), code):
        assert secret and secret not in log

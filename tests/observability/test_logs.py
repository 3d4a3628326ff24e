"""Logs: JSON lines with a request id and the account id; never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.observability.logs import configure_logging
from tests.support import PASSWORD, sign_up


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    yield stream
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()


def parsed(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_credentials_are_redacted_at_any_depth(log_lines: io.StringIO) -> None:
    log = structlog.get_logger("test")
    log.info("login", email="a@example.com", password="hunter2hunter2",
             body={"token": "abc123secret", "nested": [{"api_key": "k-999"}]})  # fmt: skip
    logging.getLogger("test.stdlib").warning("plain %s", "message")
    logging.getLogger("uvicorn.access").info('1.2.3.4 - "GET /api/v1/tickets/SECRETCODE HTTP/1.1" 200')
    first, second = parsed(log_lines)
    assert first["password"] == "[redacted]"
    assert first["body"] == {"token": "[redacted]", "nested": [{"api_key": "[redacted]"}]}
    assert first["email"] == "a@example.com" and first["level"] == "info"
    assert second["event"] == "plain message" and second["logger"] == "test.stdlib"
    for secret in ("hunter2hunter2", "abc123secret", "k-999", "SECRETCODE"):
        assert secret not in log_lines.getvalue()


async def test_requests_log_json_with_ids_and_no_secrets(
    log_lines: io.StringIO, client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    ga = next(s for s in show.sections if s.kind.value == "ga")
    fan = await sign_up(client)
    r = await fan.post(
        "/api/v1/holds", json={"show_id": show.id, "section_id": ga.id, "quantity": 1},
        headers={"X-Request-ID": "req-from-balancer-42"},
    )  # fmt: skip
    assert r.status_code == 201
    assert r.headers["x-request-id"] == "req-from-balancer-42"
    bad = await fan.post("/api/v1/holds", json={"show_id": show.id}, headers={"X-Request-ID": "no spaces allowed"})
    assert bad.status_code == 422
    generated = bad.headers["x-request-id"]
    assert generated != "no spaces allowed" and len(generated) == 32

    lines = parsed(log_lines)  # every line is JSON, or this raises
    me = (await fan.get("/api/v1/me")).json()["id"]
    hold_line = next(line for line in lines if line.get("request_id") == "req-from-balancer-42")
    assert hold_line["route"] == "/api/v1/holds" and hold_line["status"] == 201
    assert hold_line["account_id"] == me and hold_line["level"] == "info"
    assert any(line.get("request_id") == generated and line["status"] == 422 for line in lines)
    login_lines = [line for line in lines if line.get("route") == "/api/v1/auth/login"]
    assert login_lines, "the login request is logged"
    everything = log_lines.getvalue()
    assert PASSWORD not in everything
    assert fan.token not in everything

"""Schemathesis against the app's own OpenAPI, as an attacker's fuzzer would
run it: a real server holding a real show, fuzzed without credentials and as
a logged-in organiser (who may call every fan route too). Zero server errors,
zero undocumented status codes, zero answers that break their documented
schema, and every 405 names what is Allowed. (Issue 17, finding 11.)

Bounded: each run fuzzes for BOXOFFICE_FUZZ_SECONDS (default 60 s),
with a fixed seed so CI is repeatable; the show's ids are given to the
fuzzer so it reaches past 404s into the sale's own routes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server
from tests.support import PASSWORD

BOSS = "boss@example.com"
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "response_schema_conformance",
    "content_type_conformance", "unsupported_method", "allow_header_conformance",
])  # fmt: skip
SECONDS_PER_RUN = int(os.environ.get("BOXOFFICE_FUZZ_SECONDS", "60"))
# Without credentials most answers are a cheap 401: the boundary-value
# ("coverage") phase fits too. Logged in, every request does real work, so
# fewer random examples per route keep the run inside its time budget.
PLAN = {"nobody": ("examples,coverage,fuzzing", 20), "organiser": ("examples,fuzzing", 8)}
RATES = {f"BOXOFFICE_{name}_RATE": "100000/minute" for name in (
    "LOGIN", "LOGIN_IP", "REGISTER", "HOLD", "QUEUE", "IP", "PRESALE_CODE")}  # fmt: skip


def _login(server: Server) -> str:
    r = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": BOSS, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _show(server: Server, token: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    r = httpx.post(f"{server.url}/api/v1/admin/shows", headers={"Authorization": f"Bearer {token}"}, json={
        "name": "Fuzz Night", "venue": "Arena", "starts_at": (now + timedelta(days=20)).isoformat(),
        "sale_opens_at": (now - timedelta(hours=1)).isoformat(),
        "sale_closes_at": (now + timedelta(days=19)).isoformat(), "per_account_limit": 4, "currency": "BRL",
        "sections": [
            {"name": "Pista", "kind": "ga", "price_cents": 25000, "capacity": 500},
            {"name": "Cadeira", "kind": "seated", "price_cents": 18000,
             "rows": [{"label": "A", "seats": 20}, {"label": "B", "seats": 20}]},
        ],
    }, timeout=30)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("fuzz")
    s = Server({"BOXOFFICE_DATA_DIR": str(folder), "BOXOFFICE_DATABASE_URL": "", "BOXOFFICE_REDIS_URL": "",
                "BOXOFFICE_LOG_LEVEL": "WARNING", **RATES}, folder / "server.log")  # fmt: skip
    s.cli("create-admin", BOSS, "--password-stdin", stdin=PASSWORD + "\n")
    s.start(timeout=60)
    yield s
    s.stop()


def _config(folder: Path, show: dict[str, Any]) -> Path:
    """The real show's ids for the path parameters of that name."""
    seated = next(s for s in show["sections"] if s["kind"] == "seated")
    path = folder / "schemathesis.toml"
    path.write_text(f'[parameters]\n"path.show_id" = "{show["id"]}"\n"path.section_id" = "{seated["id"]}"\n')
    return path


def _fuzz(server: Server, config: Path, who: str, *headers: str) -> subprocess.CompletedProcess[str]:
    phases, examples = PLAN[who]
    args = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{server.url}/openapi.json",
        "--phases", phases, "--checks", CHECKS, "--max-time", str(SECONDS_PER_RUN),
        "--workers", "2", "--seed", "17", "--max-examples", str(examples), "--request-timeout", "20",
        "--suppress-health-check", "all",
        "--exclude-path", "/api/v1/auth/logout",  # it would end the run's own session
    ]  # fmt: skip
    for header in headers:
        args += ["--header", header]
    return subprocess.run(args, capture_output=True, text=True, timeout=SECONDS_PER_RUN * 4 + 120,
                          cwd=config.parent,  # its .schemathesis/ cache stays out of the checkout
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "160"})  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("who", ["nobody", "organiser"])
def test_the_fuzzer_finds_no_server_error_undocumented_status_or_schema_break(
    server: Server, who: str, tmp_path: Path
) -> None:
    token = _login(server)
    config = _config(tmp_path, _show(server, token))
    headers = [f"Authorization: Bearer {token}"] if who == "organiser" else []
    done = _fuzz(server, config, who, *headers)
    out = done.stdout
    failures = out[out.find("FAILURES"):] if "FAILURES" in out else out[-4000:]
    assert done.returncode == 0, failures[:12000] + done.stderr[-2000:]
    assert "failures" not in out.splitlines()[-1], out[-3000:]
    selected = re.search(r"Selected: (\d+)/", out)
    tested = re.search(r"Tested: (\d+)", out)
    assert selected and tested and tested.group(1) == selected.group(1), out[-3000:]  # every route, in time

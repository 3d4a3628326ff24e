"""`boxoffice topology`: one command starts the balancer, the apps and the
worker under honcho, and one signal stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from tests.e2e.balancer import CONFIG, need_haproxy
from tests.e2e.server import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: many processes share one database (SQLite is one machine's file)."""
    request.applymarker(pytest.mark.postgres)
    return "postgres"


def _free_pair() -> int:
    """A free port whose next port is free too (apps take consecutive ports)."""
    while True:
        first = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
            return first


def _why(log: Path) -> str:
    lines = log.read_text().splitlines()
    return "\n".join(line for line in lines if "app2" in line or "rror" in line)[-4000:]


def _other_port(taken: set[int]) -> int:
    """A free port that is none of `taken` (the kernel may hand out first_app + 1)."""
    while (port := free_port()) in taken:
        pass
    return port


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def started(backend: str, container: Container, database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:
    need_haproxy()
    first_app = _free_pair()
    port = _other_port({first_app, first_app + 1})
    stats = _other_port({first_app, first_app + 1, port})
    env = {
        **os.environ, "BOXOFFICE_DATABASE_URL": database_url,
        "BOXOFFICE_REDIS_URL": "redis://127.0.0.1:6379/12",
        "BOXOFFICE_SECRET_KEY": "topology-command-secret-" + "y" * 32,
        "BOXOFFICE_DATA_DIR": str(tmp_path / "data"),
    }  # fmt: skip
    log = (tmp_path / "topology.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "boxoffice", "topology", "--apps", "2", "--port", str(port),
         "--first-app-port", str(first_app), "--stats-port", str(stats),
         "--run-dir", str(tmp_path / "run"), "--config", str(CONFIG), "--check-every", "300ms"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        yield proc, port, first_app
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_one_command_starts_and_one_signal_stops_everything(
    started: tuple[subprocess.Popen[bytes], int, int], tmp_path: Path
) -> None:
    proc, port, first_app = started
    deadline = time.monotonic() + 40
    ready = False
    while time.monotonic() < deadline and not ready:
        assert proc.poll() is None, _why(tmp_path / "topology.log")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            time.sleep(0.2)
    assert ready, _why(tmp_path / "topology.log")
    assert httpx.get(f"http://127.0.0.1:{port}/api/v1/shows", timeout=5).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 404  # not public
    assert (tmp_path / "run" / "Procfile").read_text().count("serve") == 2

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
    for p in (port, first_app, first_app + 1):
        assert not _listening(p), f"port {p} still open after the topology stopped"
    output = (tmp_path / "topology.log").read_text()
    assert "worker.1 stopped" in output and "balancer.1 stopped" in output

"""The README's first command, `boxoffice demo`: the embedded default serves
the demo show, and one SIGTERM stops the demo and the fake Pix provider it
started (the provider once outlived it: uvicorn re-raises SIGTERM after its
graceful stop, which skipped the demo's clean-up)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import free_port

pytestmark = pytest.mark.slow


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_until(predicate, timeout: float = 120) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_demo_serves_the_show_and_one_sigterm_stops_it_and_its_pix_provider(tmp_path: Path) -> None:
    port, pix_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(
        [sys.executable, "-m", "boxoffice", "demo", "--port", str(port), "--pix-port", str(pix_port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        def home_answers() -> bool:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        assert _wait_until(home_answers), (tmp_path / "demo.log").read_text()[-3000:]
        shows = httpx.get(f"http://127.0.0.1:{port}/api/v1/shows", timeout=10).json()
        assert len(shows) >= 1
        assert _wait_until(lambda: _listening(pix_port))

        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
        assert _wait_until(lambda: not _listening(pix_port), timeout=30), "the Pix provider outlived the demo"
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(timeout=10)
        log.close()

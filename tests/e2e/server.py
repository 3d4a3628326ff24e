"""Run `boxoffice serve` as a real OS process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HIGH_RATES = {
    "BOXOFFICE_LOGIN_RATE": "10000/minute",
    "BOXOFFICE_REGISTER_RATE": "10000/minute",
    "BOXOFFICE_HOLD_RATE": "10000/minute",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, **HIGH_RATES, "BOXOFFICE_COOKIE_SECURE": "false", **env}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "boxoffice", *args],
            input=stdin.encode(), env=self.env, capture_output=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    def start(self, timeout: float = 120, workers: int = 1) -> None:  # a busy 2-core machine starts slowly
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "boxoffice", "serve", "--port", str(self.port),
                 "--workers", str(workers)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not become ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what was acknowledged must survive."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

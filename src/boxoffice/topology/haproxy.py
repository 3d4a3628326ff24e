"""HAProxy as a child process with the shipped config, and what it thinks of
each app (its stats socket). Used by the balancer bench and the e2e tests."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from boxoffice.topology.render import balancer_env, local, render_haproxy

SHIPPED = Path(__file__).resolve().parents[3] / "deploy" / "haproxy" / "haproxy.cfg"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_states(stats_socket: Path) -> dict[str, str]:
    """Each app server's state (UP, DOWN, ...) read from HAProxy's stats socket."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(stats_socket))
        s.sendall(b"show stat\n")
        raw = b"".join(iter(lambda: s.recv(65536), b""))
    rows = csv.DictReader(raw.decode().lstrip("# ").splitlines())
    return {r["svname"]: r["status"].split()[0] for r in rows if r["pxname"] == "apps"
            and r["svname"] not in {"FRONTEND", "BACKEND"}}  # fmt: skip


class HAProxy:
    def __init__(
        self, folder: Path, app_ports: list[int], *, config: Path = SHIPPED,
        check_every: str | None = "300ms",
    ) -> None:  # fmt: skip
        found = shutil.which("haproxy")
        if found is None:
            raise RuntimeError("haproxy is not installed (apt-get install -y haproxy)")
        if not config.exists():
            raise RuntimeError(f"no balancer config at {config} (run from a checkout of boxoffice)")
        self.binary = found
        self.folder = folder
        self.port = _free_port()
        self.config = folder / "haproxy.cfg"
        self.config.write_text(render_haproxy(config.read_text(), local(app_ports), check_every=check_every))
        self.env = {**os.environ, **balancer_env(f"127.0.0.1:{self.port}", f"127.0.0.1:{_free_port()}", folder)}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, expect_up: int, timeout: float = 20) -> None:
        with (self.folder / "haproxy.log").open("ab") as out:
            self.proc = subprocess.Popen(
                [self.binary, "-W", "-db", "-f", str(self.config)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.wait_for(lambda s: sum(v == "UP" for v in s.values()) == expect_up, timeout)

    def states(self) -> dict[str, str]:
        """Each app server's state as the balancer sees it (UP, DOWN, ...)."""
        return server_states(self.folder / "haproxy.sock")

    def wait_for(self, condition: Callable[[dict[str, str]], bool], timeout: float = 20) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError((self.folder / "haproxy.log").read_text()[-3000:])
            try:
                states = self.states()
            except OSError:
                states = {}
            if states and condition(states):
                return states
            time.sleep(0.1)
        raise RuntimeError(f"the balancer's view of the apps never matched: {states}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def __enter__(self) -> HAProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

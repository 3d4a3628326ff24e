"""The server under test: `boxoffice serve` in its own process group, with
the bench's settings, and its workers' memory read from /proc.

As in a fleet (deploy/k8s/worker.yaml), the background jobs (the outbox with
the order mails and their PDF tickets, sweeps, admission) run in a `boxoffice
worker` process of their own, not in the app processes that answer fans; its
CPU is read apart (`background_cpu_seconds`) and reported beside the app's.
It runs at the lowest priority (nice 19): sharing two cores with the sale,
the mail waits for the sale, not the other way round.
Mail goes over SMTP to a mail catcher in a third process (as a fleet's goes
to a mail relay): receiving mail is neither the app's nor the worker's work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from boxoffice.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, settings: Settings, workers: int, log_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._settings = settings
        self._workers = workers
        self._log_path = log_path
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._mail: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None

    def _start_mail_catcher(self) -> str:
        port = free_port()
        folder = self._log_path.parent / "mail"
        self._mail = subprocess.Popen(
            [sys.executable, "-m", "boxoffice.cli", "mailcatcher", "--port", str(port), "--folder", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"smtp://127.0.0.1:{port}"
            except OSError:
                if self._mail.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError("the bench's mail catcher did not start")

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "BOXOFFICE_ENV": "test",
            "BOXOFFICE_DATA_DIR": str(self._settings.data_dir),
            "BOXOFFICE_LOGIN_RATE": "1000000/minute",
            "BOXOFFICE_HOLD_RATE": "1000000/minute",
            "BOXOFFICE_IP_RATE": "100000000/minute",
            "BOXOFFICE_COOKIE_SECURE": "false",
            "BOXOFFICE_LOG_LEVEL": "WARNING",
            "BOXOFFICE_RUN_JOBS": "false",  # the worker process below runs them
            **self._env,
        }
        env["BOXOFFICE_SECRET_KEY"] = self._settings.secret().decode()
        if "BOXOFFICE_SMTP_URL" not in env:
            env["BOXOFFICE_SMTP_URL"] = self._start_mail_catcher()
        for name, value in (("DATABASE_URL", self._settings.database_url),
                            ("REDIS_URL", self._settings.redis_url)):  # fmt: skip
            if value:
                env[f"BOXOFFICE_{name}"] = value
            else:
                env.pop(f"BOXOFFICE_{name}", None)
        command = [sys.executable, "-m", "boxoffice.cli", "serve", "--port", str(self.port),
                   "--workers", str(self._workers)]  # fmt: skip
        log = self._log_path.open("wb")
        self._process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if env["BOXOFFICE_RUN_JOBS"] == "false":
            # At the lowest priority: on these shared cores the sale goes first and
            # the mail catches up after it (a fleet runs workers on their own cores).
            self._worker = subprocess.Popen(
                ["nice", "-n", "19", sys.executable, "-m", "boxoffice.cli", "worker"], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            _lowest_group_priority(self._worker.pid)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self, timeout: float = 180) -> None:  # a busy shared machine starts slowly
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self._log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server was not ready in {timeout:.0f} s; see {self._log_path}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each app process (the workers, or the single server)."""
        assert self._process is not None
        pids = _children(self._process.pid) or [self._process.pid]
        return [round(_rss_kb(pid) / 1024, 1) for pid in pids]

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) the app processes have used so far."""
        assert self._process is not None
        pids = _children(self._process.pid) or [self._process.pid]
        return sum(_cpu_seconds(pid) for pid in pids)

    def background_cpu_seconds(self) -> float:
        """CPU time the background worker (mail, sweeps, admission) has used so far."""
        if self._worker is None or self._worker.poll() is not None:
            return 0.0
        return _cpu_seconds(self._worker.pid)

    def __exit__(self, *exc: object) -> None:
        for helper in (self._worker, self._mail):
            if helper is not None and helper.poll() is None:
                helper.terminate()
                helper.wait(timeout=20)
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()


def _lowest_group_priority(pid: int) -> None:
    """With Linux's autogroup scheduling a process in a session of its own
    competes as a group, whatever its nice value: the group's nice is set too."""
    try:
        (Path("/proc") / str(pid) / "autogroup").write_text("19")
    except OSError:
        pass  # no autogroup here (or not Linux): nice alone applies


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return [p for p in found if "resource_tracker" not in _cmdline(p)]


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_kb(pid: int) -> int:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

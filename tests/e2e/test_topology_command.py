"""`boxoffice topology`: one command starts the balancer, the apps and the
worker under supervisord, a process that dies comes back by itself, and one
signal stops them all. Run as in production: through PgBouncer, on a Redis
Cluster."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.topology.haproxy import server_states
from tests.e2e.balancer import CONFIG, need_haproxy
from tests.integration.pgbouncer_server import PgBouncer
from tests.integration.redis_cluster import RedisClusterNodes
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
    return "\n".join(line for line in lines if "GET /" not in line)[-4000:]


def _other_port(taken: set[int]) -> int:
    """A free port that is none of `taken` (the kernel may hand out first_app + 1)."""
    while (port := free_port()) in taken:
        pass
    return port


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def pgbouncer() -> Iterator[PgBouncer]:
    bouncer = PgBouncer(pool_size=10)
    bouncer.start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture
def started(
    backend: str, container: Container, database_url: str, tmp_path: Path, pgbouncer: PgBouncer,
    redis_cluster: RedisClusterNodes,
) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:  # fmt: skip
    """The topology as in production: PostgreSQL through PgBouncer (transaction
    mode), every Redis use on a 3-primary Redis Cluster."""
    need_haproxy()
    first_app = _free_pair()
    port = _other_port({first_app, first_app + 1})
    stats = _other_port({first_app, first_app + 1, port})
    env = {
        **os.environ, "BOXOFFICE_DATABASE_URL": pgbouncer.url_for(database_url),
        "BOXOFFICE_DATABASE_PGBOUNCER": "true",
        "BOXOFFICE_REDIS_URL": redis_cluster.url, "BOXOFFICE_REDIS_CLUSTER": "true",
        "BOXOFFICE_SECRET_KEY": "topology-command-secret-" + "y" * 32,
        "BOXOFFICE_DATA_DIR": str(tmp_path / "data"),
    }  # fmt: skip
    log = (tmp_path / "topology.log").open("ab")  # supervisord appends to its stdout
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


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 180  # a busy 2-core machine: the apps' start-up alone took 47 s
    while time.monotonic() < deadline:
        assert proc.poll() is None, _why(log)
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(_why(log))


def _pid(run: Path, program: str) -> int:
    """The process id supervisord has for one program (0 while it is not running)."""
    out = subprocess.run(
        [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(run / "supervisord.conf"), "pid", program],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    return int(out.stdout.strip()) if out.stdout.strip().isdigit() else 0


def _stop_everything(proc: subprocess.Popen[bytes], log: Path, *ports: int) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) is not None
    for p in ports:
        assert not _listening(p), f"port {p} still open after the topology stopped"
    output = log.read_text()
    assert "stopped: worker" in output and "stopped: balancer" in output, output[-3000:]


class _Traffic(threading.Thread):
    """GETs through the balancer, one after another; each result timestamped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.results: list[tuple[float, int | str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.done.is_set():
                try:
                    outcome: int | str = client.get(self.url).status_code
                except httpx.TransportError as exc:
                    outcome = type(exc).__name__
                self.results.append((time.monotonic(), outcome))
                time.sleep(0.01)


def test_one_command_starts_a_killed_app_comes_back_and_one_signal_stops_everything(
    started: tuple[subprocess.Popen[bytes], int, int], tmp_path: Path
) -> None:
    """kill -9 of one app: the balancer keeps answering, supervisord starts the
    app again (and only it), and no request fails once the health check has
    taken the dead app out of rotation. One topology start for all of it."""
    proc, port, first_app = started
    log, run = tmp_path / "topology.log", tmp_path / "run"
    _wait_ready(proc, port, log)
    assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 404  # not public
    assert (run / "supervisord.conf").read_text().count(" serve ") == 2
    sock = run / "haproxy.sock"
    wait_for = _waiter(proc, log)
    wait_for(lambda: server_states(sock) == {"app1": "UP", "app2": "UP"}, "both apps UP")
    victim, survivor = _pid(run, "app1"), _pid(run, "app2")
    assert victim and survivor
    traffic = _Traffic(f"http://127.0.0.1:{port}/api/v1/shows")
    traffic.start()
    wait_for(lambda: len(traffic.results) >= 5, "traffic through the balancer")

    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: server_states(sock)["app1"] != "UP", "the health check to notice")
    noticed = time.monotonic()
    wait_for(lambda: _pid(run, "app1") not in {0, victim}, "supervisord to start app1 again")
    restarted = time.monotonic()
    wait_for(lambda: server_states(sock)["app1"] == "UP", "app1 back in rotation")
    back = time.monotonic()
    count_at_back = len(traffic.results)
    wait_for(lambda: len(traffic.results) >= count_at_back + 20, "traffic after app1 came back")
    traffic.done.set()
    traffic.join(timeout=15)

    assert _pid(run, "app2") == survivor, "the other app was left alone"
    assert restarted - killed < 30, f"app1 took {restarted - killed:.1f} s to be started again"
    after_notice = [outcome for at, outcome in traffic.results if at >= noticed]
    during_outage = [outcome for at, outcome in traffic.results if killed <= at < back]
    assert during_outage, "the balancer answered while app1 was away"
    assert set(after_notice) == {200}, f"failed after the check noticed: {after_notice}"
    print(f"kill -> noticed {noticed - killed:.2f} s, -> restarted {restarted - killed:.2f} s, "
          f"-> back in rotation {back - killed:.2f} s; {len(traffic.results)} requests, "
          f"{sum(o != 200 for _, o in traffic.results)} failed (all before the check noticed)")  # fmt: skip
    _stop_everything(proc, log, port, first_app, first_app + 1)


def _waiter(proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> Callable[[Callable[[], bool], str], None]:
    def wait_for(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.poll() is None, _why(log)
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}: {_why(log)}")

    return wait_for

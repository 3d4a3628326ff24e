"""A throwaway PgBouncer (Debian's, 1.18) in transaction mode on a free
loopback port, in front of the local PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.server import free_port
from tests.support import IN_CI

UPSTREAM = ("127.0.0.1", 5432)


def pgbouncer_ini(port: int, folder: Path, *, pool_size: int) -> str:
    """Transaction pooling; every database name goes to the same name upstream."""
    return f"""[databases]
* = host={UPSTREAM[0]} port={UPSTREAM[1]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
server_reset_query =
ignore_startup_parameters = extra_float_digits
"""


class PgBouncer:
    def __init__(self, pool_size: int = 20) -> None:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(binary).exists():
            message = "pgbouncer is not installed (apt-get install -y pgbouncer)"
            pytest.fail(message) if IN_CI else pytest.skip(message)
        self.binary = binary
        self.port = free_port()
        # PgBouncer refuses to run as root: it drops to `postgres`, which must read this folder.
        self.folder = Path(tempfile.mkdtemp(prefix="boxoffice-pgbouncer-"))
        self.folder.chmod(0o755)
        (self.folder / "userlist.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(pgbouncer_ini(self.port, self.folder, pool_size=pool_size))
        self.proc: subprocess.Popen[bytes] | None = None

    def url_for(self, database_url: str) -> str:
        """The same database and user as `database_url`, through this PgBouncer."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def start(self) -> None:
        as_root = ["-u", "postgres"] if os.geteuid() == 0 else []
        with (self.folder / "pgbouncer.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, *as_root, str(self.folder / "pgbouncer.ini")], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.folder / "pgbouncer.log").read_text()[-2000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("pgbouncer did not start: " + (self.folder / "pgbouncer.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

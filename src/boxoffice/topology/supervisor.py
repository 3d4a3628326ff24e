"""The process manager of the local topology: a supervisord config.

supervisord (not honcho) because a production process manager restarts the
one process that died and leaves the others running: honcho ends the whole
set when any process exits. Chosen over circus by fit and a measurement
(docs/scaling.md, "The topology heals itself"): pure Python with no
dependencies, a restart after kill -9 in ~2 s, one SIGTERM stops everything.

Stopping is ordered (supervisord stops programs in reverse priority, one
priority level at a time, waiting for each level to exit): the balancer
first, with SIGUSR1 (HAProxy's soft stop: no new connections, the open ones
finish), then the worker, then the apps with SIGTERM (uvicorn finishes its
requests in flight). Starting is the other way round.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

APPS, WORKER, BALANCER = 100, 200, 300  # start order; stop order is the reverse


def _escape(value: str) -> str:
    """supervisord expands %(name)s in its config: a literal % is written %%."""
    return value.replace("%", "%%")


def _program(name: str, command: list[str], priority: int, stop_signal: str = "TERM") -> str:
    return f"""
[program:{name}]
command={_escape(shlex.join(command))}
priority={priority}
autostart=true
autorestart=true
startsecs=1
startretries=100
stopsignal={stop_signal}
stopwaitsecs=30
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
"""


def supervisord_conf(
    ports: list[int], haproxy_config: Path, run_dir: Path, *, python: str = sys.executable
) -> str:
    """One program per app, the worker and the balancer; output of all of them
    (and supervisord's own events: started, exited, stopped) on stdout."""
    run = _escape(str(run_dir))
    head = f"""; Written by `boxoffice topology`; `supervisorctl -c {run}/supervisord.conf status` shows the set.
[supervisord]
nodaemon=true
; with nodaemon, supervisord writes its own events to stdout as well: no file
logfile=/dev/null
logfile_maxbytes=0
loglevel=info
pidfile={run}/supervisord.pid
childlogdir={run}

[unix_http_server]
file={run}/supervisor.sock
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{run}/supervisor.sock
"""
    me = [python, "-m", "boxoffice"]
    programs = [
        _program(f"app{i}", [*me, "serve", "--host", "127.0.0.1", "--port", str(port)], APPS)
        for i, port in enumerate(ports, 1)
    ]
    programs.append(_program("worker", [*me, "worker"], WORKER))
    programs.append(
        _program("balancer", ["haproxy", "-W", "-db", "-f", str(haproxy_config)], BALANCER, "USR1")
    )
    return head + "".join(programs)

"""`boxoffice topology`: the whole production topology on this machine, under supervisord."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click

from boxoffice.topology.render import balancer_env, local, render_haproxy
from boxoffice.topology.supervisor import supervisord_conf


@click.command()
@click.option("--apps", default=3, show_default=True, type=click.IntRange(1, 16),
              help="App processes behind the balancer.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="The balancer's port (what fans connect to).")
@click.option("--first-app-port", default=8001, show_default=True, type=click.IntRange(1024, 65000))
@click.option("--stats-port", default=8404, show_default=True, type=click.IntRange(1, 65535),
              help="HAProxy's stats page and its own /metrics.")
@click.option("--config", "config_path", default="deploy/haproxy/haproxy.cfg", show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--run-dir", default="run/topology", show_default=True, type=click.Path(path_type=Path),
              help="Where the rendered configs (balancer, supervisord) and the shared metrics folder go.")
@click.option("--check-every", default=None, help="Override the health-check interval (e.g. 500ms).")
def topology(
    apps: int, port: int, first_app_port: int, stats_port: int, config_path: Path,
    run_dir: Path, check_every: str | None,
) -> None:  # fmt: skip
    """Start a balancer (HAProxy), N app processes and the background worker,
    sharing PostgreSQL and Redis (BOXOFFICE_DATABASE_URL, BOXOFFICE_REDIS_URL).
    A process that dies is started again (supervisord); Ctrl-C (or SIGTERM)
    stops them all, each finishing its requests in flight."""
    if not os.environ.get("BOXOFFICE_DATABASE_URL", "").startswith("postgresql"):
        raise click.ClickException("set BOXOFFICE_DATABASE_URL to PostgreSQL: SQLite is one machine's file")
    if not os.environ.get("BOXOFFICE_REDIS_URL"):
        raise click.ClickException("set BOXOFFICE_REDIS_URL: the apps share caches, the line and rate limits")
    if shutil.which("haproxy") is None:
        raise click.ClickException("haproxy is not installed (apt-get install -y haproxy)")
    run_dir = run_dir.resolve()
    metrics_dir = run_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    ports = [first_app_port + i for i in range(apps)]
    config = run_dir / "haproxy.cfg"
    config.write_text(render_haproxy(config_path.read_text(), local(ports), check_every=check_every))
    manager = run_dir / "supervisord.conf"
    manager.write_text(supervisord_conf(ports, config, run_dir))
    env = {
        **os.environ,
        **balancer_env(f"0.0.0.0:{port}", f"127.0.0.1:{stats_port}", run_dir),
        "BOXOFFICE_RUN_JOBS": "false",  # the worker process runs the jobs
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    checked = subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], env=env, capture_output=True, text=True)
    if checked.returncode != 0:
        raise click.ClickException(f"the balancer config is invalid:\n{checked.stdout}{checked.stderr}")
    migrated = subprocess.run([sys.executable, "-m", "boxoffice", "migrate"], env=env)
    if migrated.returncode != 0:
        raise click.ClickException("migrations failed; nothing was started")
    click.echo(f"boxoffice topology: {apps} apps on {ports[0]}-{ports[-1]}, balancer on :{port}, "
               f"stats on 127.0.0.1:{stats_port}; a process that dies is restarted, Ctrl-C stops everything")  # fmt: skip
    os.execvpe(sys.executable, [sys.executable, "-m", "supervisor.supervisord", "-c", str(manager)], env)


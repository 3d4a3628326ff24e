"""The `boxoffice` command."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from pydantic import ValidationError

from boxoffice.bootstrap import Container, build_container
from boxoffice.errors import DomainError
from boxoffice.settings import Settings
from boxoffice.bench.cli import bench
from boxoffice.checkin.cli import checkin
from boxoffice.topology.cli import topology
from boxoffice.waitingroom.cli import queue

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException(f"Bad configuration: {exc}") from exc


def _run(work: Callable[[Container], Awaitable[T]], *, migrate_first: bool = True) -> T:
    """Build the container, run one piece of work, close it; domain errors become messages."""

    async def main() -> T:
        from boxoffice.storage.migrate import migrate

        container = build_container(_settings())
        try:
            if migrate_first:
                await migrate(container.database)
            return await work(container)
        finally:
            await container.close()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    except OSError as exc:
        raise click.ClickException(f"Cannot reach the database: {exc}") from exc


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from boxoffice.observability.logs import configure_logging
    from boxoffice.observability.metrics import MULTIPROCESS_ENV

    settings = _settings()
    configure_logging(settings.log_level, settings.effective_log_format)
    own_metrics_dir = None
    if workers > 1 and not os.environ.get(MULTIPROCESS_ENV):
        # Every worker writes its metrics here; any worker's /metrics adds them up.
        own_metrics_dir = tempfile.mkdtemp(prefix="boxoffice-metrics-")
        os.environ[MULTIPROCESS_ENV] = own_metrics_dir
    try:
        uvicorn.run(
            "boxoffice.web.main:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            log_config=None,  # our structured logging (observability/logs.py) stays in charge
            access_log=False,  # the app logs its own access lines, without ticket codes in paths
            proxy_headers=True,
            timeout_graceful_shutdown=20,
        )
    finally:
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)


@click.group()
@click.version_option(package_name="boxoffice")
def main() -> None:
    """boxoffice: sell the tickets of a mega show, fairly and never twice."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the app (migrations are applied first unless BOXOFFICE_AUTO_MIGRATE=false)."""
    settings = _settings()

    async def nothing(_: Container) -> None:
        return None

    _run(nothing, migrate_first=settings.auto_migrate)
    _serve(host, port, workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--pix-port", default=8900, show_default=True, type=click.IntRange(1, 65535),
              help="Where the demo's fake Pix provider listens (not started if BOXOFFICE_PIX_PROVIDER_URL is set).")  # fmt: skip
def demo(host: str, port: int, pix_port: int) -> None:
    """Run the app with the demo show loaded (created once, kept on restart),
    beside a fake Pix provider (its own process) to pay with Pix."""
    from boxoffice.demo import DEMO_FAN, DEMO_ORGANISER, load_demo
    from boxoffice.payments.demo import demo_pix_provider

    os.environ.setdefault("BOXOFFICE_PUBLIC_URL", f"http://{host}:{port}")  # links in the demo's mail
    show_id = _run(load_demo)
    settings = _settings()
    click.echo(f"boxoffice demo on {settings.effective_database_url}")
    click.echo(f"  open      http://{host}:{port}/")
    click.echo(f"  API docs  http://{host}:{port}/docs")
    click.echo(f"  show      http://{host}:{port}/api/v1/shows/{show_id}")
    click.echo(f"  fan       {DEMO_FAN[0]} / {DEMO_FAN[1]}")
    click.echo(f"  organiser {DEMO_ORGANISER[0]} / {DEMO_ORGANISER[1]}")
    if settings.smtp_url:
        click.echo(f"  mail      sent to {settings.smtp_url}")
    else:
        click.echo(f"  mail      http://{host}:{port}/mail  (the local mail catcher: every mail sent, PDF tickets too)")
    click.echo(f"  webhooks  http://{host}:{port}/admin/webhooks")
    if settings.cookie_secure and host not in {"127.0.0.1", "localhost", "::1"}:
        click.echo(
            "  note: the session cookie is Secure, so browsers keep it only over HTTPS "
            "(or on localhost); for a plain-HTTP trial on a network set BOXOFFICE_COOKIE_SECURE=false"
        )
    # uvicorn re-raises SIGTERM once it has stopped gracefully; leave through
    # the `with` below so the Pix provider process stops with the demo
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with demo_pix_provider(host, port, pix_port) as pix:
        if pix:
            click.echo(f"  pix bank  {pix} (the fake Pix provider: pick Pix at checkout, approve on its page)")
        _serve(host, port, 1)


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from boxoffice.storage.migrate import current_revision

    revision = _run(lambda c: current_revision(c.database))
    click.echo(f"database at revision {revision}")


@main.command("create-admin")
@click.argument("email")
@click.option("--name", default="Organiser", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create an organiser account (or make an existing account one)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account = _run(lambda c: c.accounts.create_admin(email, password, name))
    click.echo(f"organiser {account.email} ({account.id})")


@main.command()
def sweep() -> None:
    """Reclaim expired holds now (optional: availability never waits for it)."""
    freed = _run(lambda c: c.holds.sweep())
    click.echo(f"reclaimed {freed} expired holds")


@main.command()
@click.option("--sweep-every", default=30.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds between sweeps of expired holds.")  # fmt: skip
def worker(sweep_every: float) -> None:
    """Run the background jobs (hold sweeping, waiting-room admission) without
    serving HTTP. Safe on many machines at once: each job runs under a lease."""
    from boxoffice.workers.jobs import jobs_of, lease_for, run_rounds

    async def forever(container: Container) -> None:
        lease = lease_for(container)
        click.echo(f"worker running: {', '.join(j.name for j in jobs_of(container, sweep_every))}")
        try:
            await asyncio.gather(*(run_rounds(j, lease) for j in jobs_of(container, sweep_every)))
        finally:
            await lease.close()

    try:
        _run(forever)
    except KeyboardInterrupt:
        click.echo("worker stopped")


@main.command()
@click.argument("order_or_hold_id")
def audit(order_or_hold_id: str) -> None:
    """Print what happened to an order (or a hold), change by change."""
    from boxoffice.audit.service import describe

    events = _run(lambda c: c.audit.trail(order_or_hold_id))
    click.echo(f"audit trail of {order_or_hold_id}: {len(events)} events")
    for event in events:
        click.echo(describe(event))


@main.group()
def show() -> None:
    """Import and export shows as JSON."""


@show.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show_import(file: Path) -> None:
    """Create a show from FILE.json (the format `show export` writes)."""
    from boxoffice.inventory.schemas import ShowIn

    try:
        body = ShowIn.model_validate_json(file.read_text())
    except ValidationError as exc:
        raise click.ClickException(f"{file} is not a valid show: {exc}") from exc
    created = _run(lambda c: c.inventory.create_show(body.spec()))
    seats = sum(s.capacity for s in created.sections)
    click.echo(f"imported show {created.id}: {created.name} ({len(created.sections)} sections, {seats} tickets)")


@show.command("export")
@click.argument("show_id")
def show_export(show_id: str) -> None:
    """Print a show as JSON."""
    from boxoffice.inventory.schemas import ShowIn

    spec = _run(lambda c: c.inventory.export_show(show_id))
    click.echo(json.dumps(ShowIn.of(spec).model_dump(mode="json"), indent=2, ensure_ascii=False))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True)
@click.option("--folder", type=click.Path(path_type=Path), default=Path("data/mail"), show_default=True)
def mailcatcher(host: str, port: int, folder: Path) -> None:
    """A local SMTP server keeping every mail in FOLDER (one .eml each): point
    BOXOFFICE_SMTP_URL=smtp://HOST:PORT at it when several processes send."""
    import time

    from boxoffice.email.catcher import MailCatcher

    catcher = MailCatcher(folder, host, port).start()
    click.echo(f"mail catcher on {catcher.url}, keeping mail in {folder.resolve()}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        catcher.stop()


@main.command("pix-provider")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8900, show_default=True, type=click.IntRange(1, 65535))
@click.option("--webhook-secret", envvar="BOXOFFICE_PIX_WEBHOOK_SECRET", required=True,
              help="Signs the webhooks (the shop's BOXOFFICE_PIX_WEBHOOK_SECRET).")
@click.option("--api-key", envvar="BOXOFFICE_PIX_API_KEY", required=True,
              help="What the shop must send (the shop's BOXOFFICE_PIX_API_KEY).")
@click.option("--notify-url", envvar="BOXOFFICE_PIX_NOTIFY_URL", default=None,
              help="Default webhook URL for charges that name none.")  # fmt: skip
def pix_provider(host: str, port: int, webhook_secret: str, api_key: str, notify_url: str | None) -> None:
    """Run the fake Pix provider: a separate process with the provider's API,
    the payer's approve/decline page and signed webhooks (tests and demo only)."""
    import uvicorn

    from boxoffice.payments.provider import Provider, create_provider_app

    app = create_provider_app(Provider(webhook_secret.encode(), api_key, notify_url))
    click.echo(f"fake Pix provider on http://{host}:{port} (pay pages at /pay/<charge id>)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


main.add_command(queue)
main.add_command(checkin)
main.add_command(bench)
main.add_command(topology)


if __name__ == "__main__":
    main()

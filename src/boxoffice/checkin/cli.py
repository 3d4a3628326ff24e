"""`boxoffice checkin export SHOW_ID`: the offline gate list (JSON on stdout)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def checkin() -> None:
    """Check-in at the gate."""


@checkin.command("export")
@click.argument("show_id")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (mode 600: it holds every ticket's secret) instead of stdout.")  # fmt: skip
def export(show_id: str, output: Path | None) -> None:
    """Every valid ticket of SHOW_ID with its rotating-code secret, for gates
    that check in offline (they verify BX1.<code>.<otp> themselves)."""
    from boxoffice.cli import _run

    data = json.dumps(_run(lambda c: c.checkin.export(show_id)), indent=2)
    if output is None:
        click.echo(data)
        return
    output.touch(mode=0o600)
    output.write_text(data)
    click.echo(f"wrote {output}", err=True)

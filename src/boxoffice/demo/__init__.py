"""The demo show: a stadium concert, on sale now, created once and kept."""

from __future__ import annotations

from datetime import timedelta

from boxoffice.bootstrap import Container
from boxoffice.errors import EmailTaken
from boxoffice.inventory.domain import RowSpec, SectionKind, SectionSpec, ShowSpec

DEMO_SHOW = "Mega Show: Estádio ao Vivo"
DEMO_FAN = ("fan@example.com", "demo-fan-password", "Demo Fan")
DEMO_ORGANISER = ("organiser@example.com", "demo-organiser-password", "Demo Organiser")


def _rows(prefix: str, count: int, seats: int) -> tuple[RowSpec, ...]:
    return tuple(RowSpec(f"{prefix}{n}", seats) for n in range(1, count + 1))


def demo_spec(container: Container) -> ShowSpec:
    now = container.clock.now().replace(microsecond=0)
    return ShowSpec(
        name=DEMO_SHOW,
        venue="Estádio do Morumbi, São Paulo",
        starts_at=now + timedelta(days=60),
        sale_opens_at=now - timedelta(minutes=1),
        sale_closes_at=now + timedelta(days=59),
        per_account_limit=4,
        currency="BRL",
        timezone="America/Sao_Paulo",
        sections=(
            SectionSpec("Pista", SectionKind.GA, 35_000, capacity=3_000),
            SectionSpec("Cadeira Inferior", SectionKind.SEATED, 55_000, rows=_rows("A", 20, 40)),
            SectionSpec("Cadeira Superior", SectionKind.SEATED, 25_000, rows=_rows("B", 25, 40)),
        ),
    )


async def load_demo(container: Container) -> str:
    """Create the demo show and accounts unless they exist; return the show id."""
    for email, password, name in (DEMO_FAN, DEMO_ORGANISER):
        try:
            if email == DEMO_ORGANISER[0]:
                await container.accounts.create_admin(email, password, name)
            else:
                await container.accounts.register(email, password, name)
        except EmailTaken:
            pass
    for show in await container.inventory.list_shows():
        if show.name == DEMO_SHOW:
            return show.id
    show = await container.inventory.create_show(demo_spec(container))
    return show.id

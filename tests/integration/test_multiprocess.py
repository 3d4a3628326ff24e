"""Invariant 1 across OS processes: four processes, fifty buyers each, one database."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.storage.tables import sections, tickets
from tests.support import PASSWORD, show_spec, unique_email

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, BUYERS = 4, 50


async def _run_processes(
    container: Container, tmp_path: Path, show_id: str, section_id: str, mode: str
) -> list[dict]:
    emails = [unique_email("proc") for _ in range(PROCESSES * BUYERS)]
    for email in emails:
        await container.accounts.register(email, PASSWORD, "Fan")
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.buyer_process",
            container.database.url, str(tmp_path), show_id, section_id, mode,
            *emails[i * BUYERS : (i + 1) * BUYERS],
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        for i in range(PROCESSES)
    ]
    outcomes: list[dict] = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        outcomes.extend(json.loads(out.decode().strip().splitlines()[-1]))
    return outcomes


@pytest.mark.slow
async def test_processes_race_for_the_last_50_ga_tickets(container: Container, tmp_path: Path) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=50))
    pista = show.sections[0]

    outcomes = await _run_processes(container, tmp_path, show.id, pista.id, "ga")

    paid = [o for o in outcomes if o.get("order") == "paid"]
    assert len(paid) == 50
    assert {o["hold"] for o in outcomes if o["hold"] != "ok"} == {"sold_out"}
    async with container.database.engine.connect() as conn:
        row = (await conn.execute(select(sections).where(sections.c.id == pista.id))).one()
        issued = await conn.scalar(select(func.count()).select_from(tickets))
    assert (row.sold_count, row.held_count, issued) == (50, 0, 50)


@pytest.mark.slow
async def test_processes_race_for_the_same_seats(container: Container, tmp_path: Path) -> None:
    show = await container.inventory.create_show(show_spec(seat_rows=5, seats_per_row=10))
    cadeira = show.sections[1]

    outcomes = await _run_processes(container, tmp_path, show.id, cadeira.id, "seats")

    sold = [seat for o in outcomes for _, seat in o.get("tickets", [])]
    assert sold and len(sold) == len(set(sold)), "a seat was sold twice"
    assert {o["hold"] for o in outcomes if o["hold"] != "ok"} <= {"seats_unavailable"}
    async with container.database.engine.connect() as conn:
        row = (await conn.execute(select(sections).where(sections.c.id == cadeira.id))).one()
    assert row.sold_count == len(sold) and row.held_count == 0
    assert row.sold_count <= row.capacity

"""Invariant 1 and 5 under real concurrency: never oversell, no seat twice,
per-account limits hold. 200 asyncio buyers go through the HTTP app at once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import holds, seats, sections, tickets
from tests.support import Fan, many_fans, show_spec, sign_up


async def _buy(fan: Fan, show_id: str, section_id: str, n: int, **body: object) -> tuple[int, int, dict]:
    r = await fan.hold(show_id, section_id, key=f"hold-{fan.email}", **body)
    if r.status_code != 201:
        return r.status_code, 0, r.json()
    o = await fan.pay(r.json()["hold_id"], key=f"order-{fan.email}")
    return r.status_code, o.status_code, o.json()


async def _totals(container: Container, section_id: str) -> dict[str, int]:
    async with container.database.engine.connect() as conn:
        row = (await conn.execute(select(sections).where(sections.c.id == section_id))).one()
        issued = await conn.scalar(
            select(func.count()).select_from(tickets).where(tickets.c.section_id == section_id)
        )
        distinct_seats = await conn.scalar(
            select(func.count(func.distinct(tickets.c.seat_id))).where(
                tickets.c.section_id == section_id
            )
        )
        sold_seats = await conn.scalar(
            select(func.count()).select_from(seats).where(
                seats.c.section_id == section_id, seats.c.sold.is_(True)
            )
        )
    return {
        "capacity": row.capacity, "sold": row.sold_count, "held": row.held_count,
        "tickets": issued, "distinct_seats": distinct_seats, "sold_seats": sold_seats,
    }  # fmt: skip


async def test_200_buyers_race_for_the_last_50_ga_tickets(
    container: Container, client: httpx.AsyncClient
) -> None:
    show = await container.inventory.create_show(show_spec(ga_capacity=50))
    pista = show.sections[0]
    fans = await many_fans(container, client, 200)

    results = await asyncio.gather(*(_buy(f, show.id, pista.id, 1, quantity=1) for f in fans))

    paid = [body for _, order_status, body in results if order_status == 201]
    rejected = Counter(body["error"]["code"] for status, _, body in results if status != 201)
    assert len(paid) == 50
    assert rejected == {"sold_out": 150}
    codes = [t["code"] for order in paid for t in order["tickets"]]
    assert len(codes) == len(set(codes)) == 50
    totals = await _totals(container, pista.id)
    assert (totals["sold"], totals["held"], totals["tickets"]) == (50, 0, 50)
    availability = await container.inventory.availability(show.id)
    assert availability[0].available == 0


async def test_200_buyers_race_for_the_same_seats(
    container: Container, client: httpx.AsyncClient
) -> None:
    show = await container.inventory.create_show(show_spec(seat_rows=5, seats_per_row=10))
    cadeira = show.sections[1]
    seat_map = (await client.get(f"/api/v1/shows/{show.id}/sections/{cadeira.id}/seats")).json()
    seat_ids = [s["id"] for s in seat_map["seats"]]
    fans = await many_fans(container, client, 200)
    picks = [random.Random(i).sample(seat_ids, 2) for i in range(200)]

    results = await asyncio.gather(
        *(_buy(f, show.id, cadeira.id, 2, seat_ids=p) for f, p in zip(fans, picks, strict=True))
    )

    paid = [body for _, order_status, body in results if order_status == 201]
    sold = [t["seat"] for order in paid for t in order["tickets"]]
    assert len(sold) == len(set(sold)), "a seat was sold twice"
    assert {body["error"]["code"] for s, _, body in results if s != 201} <= {"seats_unavailable"}
    totals = await _totals(container, cadeira.id)
    assert totals["tickets"] == totals["distinct_seats"] == totals["sold_seats"] == len(sold)
    assert totals["sold"] == len(sold) and totals["held"] == 0
    assert totals["sold"] + totals["held"] <= totals["capacity"]


async def test_one_account_cannot_race_past_its_limit(
    container: Container, client: httpx.AsyncClient, show: Show
) -> None:
    """Twenty simultaneous holds from three sessions of one account: the limit (4) holds."""
    fan = await sign_up(client)
    sessions = [fan] + [
        Fan(client, (await container.accounts.login(fan.email, "correct horse battery"))[1], fan.email)
        for _ in range(2)
    ]
    pista = show.sections[0]

    responses = await asyncio.gather(
        *(sessions[i % 3].hold(show.id, pista.id, quantity=1) for i in range(20))
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 4, 409: 16}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"limit_exceeded"}
    async with container.database.engine.connect() as conn:
        live = await conn.scalar(select(func.sum(holds.c.quantity)))
    assert live == 4

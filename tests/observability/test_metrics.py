"""/metrics moves as a purchase happens; scrape-time figures are exact."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from boxoffice.storage.migrate import migrate
from boxoffice.web.app import create_app
from tests.support import make_container, organiser, settings_for, sign_up


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return samples(r.text)


def value(found: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_follow_a_purchase(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    ga = next(s for s in show.sections if s.kind.value == "ga")
    fan = await sign_up(client)
    before = await scrape(client)
    assert value(before, "boxoffice_section_tickets", show_id=show.id, section_id=ga.id,
                 section=ga.name, state="available") == ga.capacity  # fmt: skip

    hold = (await fan.hold(show.id, ga.id, quantity=3)).json()
    await fan.get(f"/api/v1/shows/{show.id}/availability")
    held = await scrape(client)
    assert value(held, "boxoffice_section_tickets", show_id=show.id, section_id=ga.id,
                 section=ga.name, state="held") == 3  # fmt: skip
    assert value(held, "boxoffice_holds_total", event="created") == 1
    assert value(held, "boxoffice_held_tickets_total", show_id=show.id) == 3

    assert (await fan.pay(hold["hold_id"], "k", outcome="decline")).status_code == 402
    assert (await fan.pay(hold["hold_id"], "k2")).status_code == 201
    after = await scrape(client)
    assert value(after, "boxoffice_orders_total", event="paid") == 1
    assert value(after, "boxoffice_orders_total", event="failed") == 1
    assert value(after, "boxoffice_errors_total", code="payment_declined") == 1
    assert value(after, "boxoffice_holds_total", event="converted") == 1
    assert value(after, "boxoffice_tickets_total", event="issued", show_id=show.id,
                 section_id=ga.id) == 3  # fmt: skip
    assert value(after, "boxoffice_revenue_cents_total", show_id=show.id,
                 currency="BRL") == 3 * ga.price_cents  # fmt: skip
    for state, count in (("sold", 3), ("held", 0), ("available", ga.capacity - 3)):
        assert value(after, "boxoffice_section_tickets", show_id=show.id, section_id=ga.id,
                     section=ga.name, state=state) == count  # fmt: skip
    # HTTP by route template (never the raw path), with latency.
    assert value(after, "boxoffice_http_requests_total", method="POST", route="/api/v1/holds",
                 status="201") == 1  # fmt: skip
    assert value(after, "boxoffice_http_requests_total", method="POST", route="/api/v1/orders",
                 status="402") == 1  # fmt: skip
    assert value(after, "boxoffice_http_request_duration_seconds_count", method="POST",
                 route="/api/v1/orders") == 2  # fmt: skip
    assert not any("/api/v1/holds/" + hold["hold_id"] in str(k) for k in after)
    # The database and the cache are watched.
    assert value(after, "boxoffice_db_query_duration_seconds_count") > value(
        before, "boxoffice_db_query_duration_seconds_count"
    )
    lookups = sum(v for (n, _), v in after.items() if n == "boxoffice_cache_lookups_total")
    assert lookups > 0
    assert value(after, "boxoffice_cache_up", backend="memory") == 1
    assert value(after, "boxoffice_database_up") == 1
    await container.tickets.settle()  # the cache rebuilds the purchase started, in the background
    settled = await scrape(client)
    assert value(settled, "boxoffice_db_connections_in_use") == 0  # all returned to the pool


async def test_waiting_room_figures(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    boss = await organiser(container, client)
    r = await boss.client.put(
        f"/api/v1/admin/shows/{show.id}/waiting-room",
        json={"enabled": True, "opens_at": "2029-12-31T00:00:00Z", "admit_per_minute": 2},
        headers=boss.auth,
    )
    assert r.status_code == 200, r.text
    for _ in range(3):
        fan = await sign_up(client)
        assert (await fan.post(f"/api/v1/shows/{show.id}/queue")).status_code == 200
    found = await scrape(client)
    assert value(found, "boxoffice_waitingroom_waiting", show_id=show.id) == 3
    assert value(found, "boxoffice_waitingroom_estimated_wait_seconds", show_id=show.id) == 90
    assert value(found, "boxoffice_queue_store_up") == 1


async def test_metrics_can_be_turned_off(database_url: str, tmp_path: Path, backend: str) -> None:
    if backend != "sqlite":
        return  # one backend is enough: nothing here touches storage
    container = make_container(settings_for(tmp_path, database_url, metrics_enabled=False))
    await migrate(container.database)
    app = create_app(container, sweep_every=None)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            r = await c.get("/metrics")
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "not_found"
            assert (await c.get("/healthz")).headers["x-request-id"]
    finally:
        await container.close()

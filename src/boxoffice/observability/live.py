"""Figures read when Prometheus scrapes, from the state every process shares.

Tickets per section come from the database (exact, one query per show whose
sale has not long closed), the line of each waiting room from the queue
store, and the cache's health from the cache. A dependency that does not
answer is reported as down (a gauge of 0), never as a failed scrape.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

if TYPE_CHECKING:
    from boxoffice.bootstrap import Container

log = logging.getLogger("boxoffice.metrics")
RECENT = timedelta(days=1)  # shows whose sale closed longer ago than this are left out
MAX_SHOWS = 50


async def live_metrics(container: Container) -> list[Metric]:
    families: list[Metric] = []
    database_up = GaugeMetricFamily("boxoffice_database_up", "1 if the database answers")
    try:
        families.extend(await _sections(container))
        database_up.add_metric([], 1)
    except Exception:  # noqa: BLE001 - a scrape reports a down database, it does not fail
        log.warning("metrics: the database did not answer", exc_info=True)
        database_up.add_metric([], 0)
    families.append(database_up)
    families.append(await _cache(container))
    families.extend(await _lines(container))
    families.extend(await _outbox(container))
    pool = GaugeMetricFamily("boxoffice_db_pool_size", "Connections each process may open")
    pool.add_metric([], container.settings.db_pool_size)
    families.append(pool)
    return families


async def _sections(container: Container) -> list[Metric]:
    tickets = GaugeMetricFamily(
        "boxoffice_section_tickets",
        "Tickets per section by state (sold, held, available)",
        labels=["show_id", "section_id", "section", "state"],
    )
    capacity = GaugeMetricFamily(
        "boxoffice_section_capacity", "Tickets a section has", labels=["show_id", "section_id"]
    )
    now = container.clock.now()
    shows = [s for s in await container.inventory.list_shows() if s.sale_closes_at > now - RECENT]
    for show in shows[:MAX_SHOWS]:
        for a in await container.inventory.availability(show.id):
            for state, count in (("sold", a.sold), ("held", a.held), ("available", a.available)):
                tickets.add_metric([show.id, a.section_id, a.name, state], count)
            capacity.add_metric([show.id, a.section_id], a.capacity)
    return [tickets, capacity]


async def _cache(container: Container) -> Metric:
    status = await container.cache.status()
    up = GaugeMetricFamily(
        "boxoffice_cache_up", "1 if the cache answers (0: slower, still correct)", labels=["backend"]
    )
    up.add_metric([status.backend], 1 if status.healthy else 0)
    return up


async def _lines(container: Container) -> list[Metric]:
    waiting = GaugeMetricFamily(
        "boxoffice_waitingroom_waiting", "Fans in line not yet admitted", labels=["show_id"]
    )
    admitted = CounterMetricFamily(
        "boxoffice_waitingroom_admitted", "Fans let through so far", labels=["show_id"]
    )
    wait = GaugeMetricFamily(
        "boxoffice_waitingroom_estimated_wait_seconds",
        "How long the last fan in line will wait at the room's admission rate",
        labels=["show_id"],
    )
    store_up = GaugeMetricFamily("boxoffice_queue_store_up", "1 if the waiting-room store answers")
    try:
        lines = await container.waiting_room.lines()
        store_up.add_metric([], 1)
    except Exception:  # noqa: BLE001 - see the module docstring
        log.warning("metrics: the queue store did not answer", exc_info=True)
        store_up.add_metric([], 0)
        lines = []
    for room, state in lines:
        behind = max(state.line_length - state.cursor, 0)
        waiting.add_metric([room.show_id], behind)
        admitted.add_metric([room.show_id], min(state.cursor, state.line_length))
        wait.add_metric([room.show_id], behind / room.admit_per_minute * 60)
    return [waiting, admitted, wait, store_up]


async def _outbox(container: Container) -> list[Metric]:
    messages = GaugeMetricFamily(
        "boxoffice_outbox_messages", "Mail and webhook messages not sent, by status (pending, sending, dead)",
        labels=["status"],
    )
    oldest = GaugeMetricFamily(
        "boxoffice_outbox_oldest_due_seconds", "How long the oldest due message has waited to be sent"
    )
    try:
        counts, waited = await container.outbox.backlog()
    except Exception:  # noqa: BLE001 - see the module docstring
        log.warning("metrics: the outbox could not be read", exc_info=True)
        return []
    for status in ("pending", "sending", "dead"):
        messages.add_metric([status], counts.get(status, 0))
    oldest.add_metric([], waited)
    return [messages, oldest]

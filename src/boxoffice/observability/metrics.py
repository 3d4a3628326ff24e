"""The app's Prometheus instruments, built in the composition root.

Counters and histograms move as requests are answered and units of work
commit (their audit events say what changed). With several worker processes
each writes its values to files in PROMETHEUS_MULTIPROC_DIR and any worker's
/metrics adds them all up; `boxoffice serve` sets that folder up. Figures
that live in shared state (tickets per section, the waiting line, the cache's
health) are read when Prometheus scrapes: see observability/live.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from boxoffice.audit.domain import AuditEvent, Entity

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


class _Fixed:
    """A collector that hands over families computed before the scrape."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "boxoffice_http_requests", "HTTP requests answered",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "boxoffice_http_request_duration_seconds", "Time to answer an HTTP request",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.errors = Counter(
            "boxoffice_errors", "Error answers by error code", ["code"], registry=r
        )
        self.holds = Counter("boxoffice_holds", "Hold state changes", ["event"], registry=r)
        self.held_tickets = Counter(
            "boxoffice_held_tickets", "Tickets put on hold", ["show_id"], registry=r
        )
        self.orders = Counter("boxoffice_orders", "Order state changes", ["event"], registry=r)
        self.tickets = Counter(
            "boxoffice_tickets", "Ticket state changes (issued = sold, checked_in)",
            ["event", "show_id", "section_id"], registry=r,
        )  # fmt: skip
        self.revenue = Counter(
            "boxoffice_revenue_cents", "Money taken by paid orders", ["show_id", "currency"],
            registry=r,
        )  # fmt: skip
        self.cache = Counter(
            "boxoffice_cache_lookups", "Cache reads by kind and result (hit, miss)",
            ["kind", "result"], registry=r,
        )  # fmt: skip
        self.queries = Histogram(
            "boxoffice_db_query_duration_seconds", "Time of one SQL statement",
            buckets=QUERY_BUCKETS, registry=r,
        )  # fmt: skip
        self._per_request: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._per_lookup: dict[tuple[str, bool], Any] = {}
        self.connections = Gauge(
            "boxoffice_db_connections_in_use", "Database connections checked out of the pools",
            registry=r, multiprocess_mode="livesum",
        )  # fmt: skip

    def watch(self, engine: AsyncEngine) -> None:
        """Time every SQL statement and count the connections in use."""
        sync = engine.sync_engine

        def started(_c: Any, _cur: Any, _s: Any, _p: Any, context: Any, _many: Any) -> None:
            context.boxoffice_started = perf_counter()

        def finished(_c: Any, _cur: Any, _s: Any, _p: Any, context: Any, _many: Any) -> None:
            self.queries.observe(perf_counter() - context.boxoffice_started)

        event.listen(sync, "before_cursor_execute", started)
        event.listen(sync, "after_cursor_execute", finished)
        event.listen(sync.pool, "checkout", lambda *_: self.connections.inc())
        event.listen(sync.pool, "checkin", lambda *_: self.connections.dec())

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        found = self._per_request.get(key)
        if found is None:  # labels() costs a lock and a lookup: keep the children
            found = self._per_request[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        found[0].inc()
        found[1].observe(seconds)

    def cache_lookup(self, kind: str, hit: bool) -> None:
        key = (kind, hit)
        child = self._per_lookup.get(key)
        if child is None:
            child = self._per_lookup[key] = self.cache.labels(kind, "hit" if hit else "miss")
        child.inc()

    def committed(self, events: Sequence[AuditEvent]) -> None:
        """Count what a unit of work changed, once it has committed."""
        for e in events:
            if e.entity is Entity.HOLD:
                self.holds.labels(e.action.value).inc()
                if e.action.value == "created":
                    self.held_tickets.labels(e.show_id).inc(e.quantity)
            elif e.entity is Entity.ORDER:
                self.orders.labels(e.action.value).inc()
                if e.action.value == "paid":
                    amount = int(e.detail.get("amount_cents", 0))
                    self.revenue.labels(e.show_id, str(e.detail.get("currency", ""))).inc(amount)
            else:
                self.tickets.labels(e.action.value, e.show_id, e.section_id or "").inc()

    def exposition(self, live: Iterable[Metric] = ()) -> bytes:
        """The text Prometheus scrapes: this process's (or every worker's) figures, plus `live`."""
        registry = CollectorRegistry()
        if multiprocess():
            MultiProcessCollector(registry)
        else:
            registry.register(_Fixed(self.registry.collect()))
        registry.register(_Fixed(live))
        return generate_latest(registry)

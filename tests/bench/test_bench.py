"""The bench runs end to end on a tiny sale and reports what it promises
(no timing is asserted: figures are for people, not for pass/fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boxoffice.bench import run
from boxoffice.bench.chart import sale_chart
from boxoffice.bench.load import wrk_available
from boxoffice.bench.report import lines
from tests.support import IN_CI


@pytest.fixture(autouse=True)
def _needs_wrk() -> None:
    if not wrk_available():
        if IN_CI:
            pytest.fail("wrk is not installed (apt-get install -y wrk)")
        pytest.skip("wrk is not installed (apt-get install -y wrk)")


async def test_a_tiny_flash_sale_reports_its_figures_and_sells_nothing_twice(tmp_path: Path) -> None:
    options = run.Options(
        database_url=None, redis_url=None, workers=1, fans=40, ga=30, seats=20, concurrency=8, seconds=1
    )
    report = await run.sale(options, progress=lambda _: None)
    assert set(report.rates) == {"empty", "holds", "holds_at_half", "orders", "orders_at_half", "sold_out"}
    assert all(rate.requests > 0 for rate in report.rates.values())
    assert set(report.rates["orders"].codes) == {"201"}  # paying the holds phases' holds
    half = report.rates["holds_at_half"]  # paced at half the measured peak, every hold granted
    assert half.codes == {"201": half.requests} and half.socket_errors == 0
    paying = report.rates["orders_at_half"]  # paced too: every order paid
    assert paying.codes == {"201": paying.requests} and paying.socket_errors == 0
    assert report.naive_hot_row_per_second > 0 and report.naive_purchase_per_second > 0
    assert report.sale is not None and sum(report.sale.holds.outcomes.values()) == 40
    assert report.totals is not None and report.totals.ok
    assert report.totals.tickets == report.totals.sold > 0
    assert report.rss_mb and all(mb > 0 for mb in report.rss_mb)
    assert set(report.cpu_ms) == {"empty", "warm-up", "holds", "orders", "sale, per paid fan (hold + order)", "sold_out"}
    assert all(ms > 0 for ms in report.cpu_ms.values())
    text = "\n".join(lines(report))
    assert "naive hot-row hold" in text and "-> OK" in text
    assert report.background_ms_per_order is not None and report.background_ms_per_order > 0
    assert "background worker CPU per paid order" in text
    cpu = report.sale_cpu
    assert cpu["busy"] > 0 and cpu["app"] > 0 and cpu["client"] > 0 and "CPU during the sale" in text
    assert "paid orders/s, flash sale, end to end" in text and "naive hot-row purchase" in text
    assert run.to_json(report)["sale"]["fans"] == 40
    kinds = {kind for _, kind, _ in report.sale.timeline}
    assert {"hold", "order"} <= kinds <= {"hold", "order", "refused"}
    refused = sum(n for outcome, n in report.sale.holds.outcomes.items() if outcome.startswith("409"))
    assert sum(kind == "refused" for _, kind, _ in report.sale.timeline) == refused
    assert sum(report.sale.asked.values()) == 40 and "general admission" in report.sale.asked
    chart = sale_chart(report.sale, tmp_path / "sale.png", "tiny sale")
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 5_000


async def test_the_cache_bench_counts_what_a_rejection_costs_the_database() -> None:
    options = run.Options(
        database_url=None, redis_url=None, workers=1, fans=40, ga=30, seats=20, concurrency=8, seconds=1
    )
    reports = await run.cache(options, progress=lambda _: None)
    on, off = reports["cache on"], reports["cache off"]
    for report in (on, off):
        assert set(report.rates) == {"empty", "availability", "sold_out"}
        assert report.rates["sold_out"].codes.get("409", 0) > 0
        assert report.statements_per_rejection is not None
    assert off.statements_per_rejection >= 1  # without the cache, every rejection asks the database
    assert on.statements_per_rejection < 0.1  # with it, only the occasional cache rebuild does
    assert "SQL statements the app sent per sold-out rejection" in "\n".join(lines(on))


async def test_the_front_door_bench_reports_logins_probes_and_polls() -> None:
    from boxoffice.bench.frontdoor import front_door

    figures = await front_door(
        workers=1, logins=5, seconds=1, fans=15, database_url=None, redis_url=None, progress=lambda _: None
    )
    assert figures.empty.requests > 0 and figures.logins[200] > 0
    assert set(figures.logins) <= {200, 503}  # busy is the only refusal
    assert figures.idle.ms["healthz"] and figures.storm.ms["availability"]
    assert figures.polls.codes == {"200": figures.polls.requests}  # all answered from their tokens
    assert figures.full_polls.requests > 0 and figures.cpu_per_poll_ms > 0
    assert len(figures.lines()) == 7

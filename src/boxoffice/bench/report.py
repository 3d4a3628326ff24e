"""The figures of a run, as lines a person reads (and docs/benchmarks.md quotes)."""

from __future__ import annotations

from boxoffice.bench.load import Rate, Sale, Step
from boxoffice.bench.run import Report


def _rate(rate: Rate, empty: Rate | None = None) -> str:
    ratio = f"  ({rate.per_second / empty.per_second:.0%} of empty)" if empty and empty is not rate else ""
    codes = ", ".join(f"{k}: {v:,}" for k, v in sorted(rate.codes.items()))
    return (
        f"{rate.name:<14} {rate.per_second:>9,.0f}/s  p50 {rate.p50_ms:6.1f} ms  p95 {rate.p95_ms:6.1f} ms"
        f"  p99 {rate.p99_ms:6.1f} ms{ratio}   [{codes}{', socket errors: ' + str(rate.socket_errors) if rate.socket_errors else ''}]"
    )


def _step(name: str, step: Step, seconds: float) -> str:
    p50, p95, p99 = step.percentiles()
    outcomes = ", ".join(f"{k}: {v:,}" for k, v in step.outcomes.most_common())
    rate = sum(step.outcomes.values()) / seconds if seconds else 0
    return f"{name:<14} {rate:>9,.0f}/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms   [{outcomes}]"


def _sale_lines(sale: Sale) -> list[str]:
    orders = [t for t, kind, _ in sale.timeline if kind == "order"]
    lines = [
        f"flash sale: {sale.fans:,} fans in {sale.seconds:.1f} s "
        f"({', '.join(f'{n:,} {how}' for how, n in sale.asked.most_common())})",
        _step("  holds", sale.holds, sale.seconds),
        _step("  orders", sale.orders, sale.seconds),
    ]
    if orders:
        lines.append(f"  last ticket sold after {max(orders):.1f} s; {len(orders) / max(orders):,.0f} orders/s")
    return lines


def _purchase_lines(report: Report) -> list[str]:
    """Paid orders per second, end to end, next to the naive baselines."""
    naive = report.naive_purchase_per_second
    found = []
    sale = report.sale
    if sale is not None:
        ends = [t for t, kind, _ in sale.timeline if kind == "order"]
        if ends:
            found.append(("flash sale, end to end (hold + pay)", len(ends) / max(ends)))
    if "orders" in report.rates:
        found.append(("orders phase (paying held tickets)", report.rates["orders"].per_second))
    out = []
    for name, rate in found:
        vs = f"  = {rate / naive:.2f}x the naive hot-row purchase" if naive else ""
        out.append(f"paid orders/s, {name}: {rate:,.0f}/s{vs}")
    if naive:
        out.append(f"naive hot-row purchase (hold, then pay: two transactions on one row, 8 clients): {naive:,.0f}/s")
    return out


def lines(report: Report) -> list[str]:
    empty = report.rates.get("empty")
    out = [_rate(rate, empty) for rate in report.rates.values()]
    if report.naive_hot_row_per_second:
        holds = report.rates.get("holds")
        out.append(f"naive hot-row hold (same database, 8 clients): {report.naive_hot_row_per_second:,.0f}/s")
        if holds:
            out.append(f"holds vs naive hot row: {holds.per_second / report.naive_hot_row_per_second:.2f}x")
    if report.sale is not None:
        out.extend(_sale_lines(report.sale))
    out.extend(_purchase_lines(report))
    if report.statements_per_rejection is not None:
        out.append(
            f"SQL statements the app sent per sold-out rejection: {report.statements_per_rejection:.4f}"
            " (its own metrics: cache rebuilds included)"
        )
    if report.transactions_per_rejection is not None:
        line = (f"PostgreSQL transactions in the bench database per rejection: "
                f"{report.transactions_per_rejection:.4f}")  # fmt: skip
        if report.idle_transactions is not None:
            line += (f" ({report.idle_transactions:,} in an idle window as long as the phase;"
                     " database-wide: not only the app's)")  # fmt: skip
        out.append(line)
    if report.cpu_ms:
        spent = ", ".join(f"{name} {ms:.3f} ms" for name, ms in report.cpu_ms.items())
        out.append(f"app CPU per request (all app processes): {spent}")
    if report.sale_cpu:
        c = report.sale_cpu
        out.append(
            f"CPU during the sale ({c['seconds']:.1f} s on {c['cores']:.0f} cores = {c['seconds'] * c['cores']:.1f} "
            f"core-seconds): busy {c['busy']:.1f} ({c['busy'] / max(c['seconds'] * c['cores'], 1e-9):.0%}): "
            f"app {c['app']:.1f}, crowd client {c['client']:.1f}, worker {c['worker']:.1f}, "
            f"PostgreSQL + Redis + the rest {c['rest']:.1f}"
        )  # fmt: skip
    if report.background_ms_per_order is not None:
        out.append(f"background worker CPU per paid order (its mail with the PDF tickets, sweeps): "
                   f"{report.background_ms_per_order:.3f} ms")  # fmt: skip
    if report.rss_mb:
        out.append(f"app processes' memory (RSS): {', '.join(f'{m:.0f} MB' for m in report.rss_mb)}")
    if report.totals is not None:
        t = report.totals
        out.append(
            f"check: capacity {t.capacity:,}, sold {t.sold:,}, live holds {t.held_live:,}, tickets {t.tickets:,}, "
            f"paid orders {t.paid_orders:,}, oversold sections {t.oversold_sections}, "
            f"seats sold twice {t.seats_sold_twice} -> {'OK' if t.ok else 'FAILED'}"
        )
    return out

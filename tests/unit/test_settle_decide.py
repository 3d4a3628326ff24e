"""How a batch of approved orders is decided (orders/settle.py: decide), with
no database: each hold sold at most once, a retry answered with its order,
an expired hold refused; the paid answer is what the write will store."""

from __future__ import annotations

from datetime import timedelta

from boxoffice.holds.domain import Hold, HoldStatus
from boxoffice.inventory.domain import Section, SectionKind, Show
from boxoffice.orders.domain import Order, OrderStatus
from boxoffice.orders.payments import Charge, Outcome
from boxoffice.orders.settle import Settling, State, decide
from tests.support import T0

SHOW = Show("s", "Night", "Arena", T0 + timedelta(days=9), T0, T0 + timedelta(days=8), 4, "BRL", T0,
            [Section("c", "s", "Cadeira", SectionKind.SEATED, 5_000, 10)])  # fmt: skip


def _hold(hold_id: str, seats: tuple[int, ...] = (7, 8)) -> Hold:
    return Hold(hold_id, "a", "s", "c", len(seats), HoldStatus.ACTIVE, T0, T0 + timedelta(minutes=10), "f",
                seat_ids=seats, seat_labels=tuple(f"A-{i}" for i in seats))  # fmt: skip


def _settling(order_id: str, hold_id: str) -> Settling:
    order = Order(order_id, "a", hold_id, "s", OrderStatus.PENDING, 10_000, "BRL", f"k-{order_id}", T0, T0)
    return Settling(order, Charge(f"ref-{order_id}", Outcome.APPROVED, 10_000, "BRL"))


LIVE = State(OrderStatus.PENDING, HoldStatus.ACTIVE, T0 + timedelta(minutes=10))


def test_a_paid_order_carries_its_tickets_and_messages_as_written() -> None:
    settled, paid, refused = decide([_settling("o1", "h1")], [_hold("h1")], SHOW, {"o1": LIVE}, T0)
    assert refused == [] and len(paid) == 1
    order = settled[0].paid
    assert order is not None and order.status is OrderStatus.PAID and order.payment_reference == "ref-o1"
    assert [(t.seat_id, t.seat_label, t.price_cents) for t in order.tickets] == [(7, "A-7", 5_000), (8, "A-8", 5_000)]
    assert [m.dedupe_key for m in paid[0].messages] == ["order-confirmation:o1", "order.paid:o1"]


def test_one_hold_two_orders_and_a_retry_in_one_batch() -> None:
    batch = [_settling("o1", "h1"), _settling("o1", "h1"), _settling("o2", "h1")]
    states = {"o1": LIVE, "o2": LIVE}
    settled, paid, refused = decide(batch, [_hold("h1")] * 3, SHOW, states, T0)
    assert [p.order.id for p in paid] == ["o1"]
    assert settled[1].current is settled[0].paid  # the retry gets the same order
    assert [(r.order.id, r.reason) for r in refused] == [("o2", "already_paid")]


def test_expired_holds_and_orders_settled_elsewhere() -> None:
    expired = State(OrderStatus.PENDING, HoldStatus.ACTIVE, T0)  # expires at this very instant
    done = State(OrderStatus.PAID, HoldStatus.CONVERTED, T0 + timedelta(minutes=10))
    settled, paid, refused = decide(
        [_settling("o1", "h1"), _settling("o2", "h2")], [_hold("h1"), _hold("h2", (3,))], SHOW,
        {"o1": expired, "o2": done}, T0,
    )  # fmt: skip
    assert paid == [] and [(r.order.id, r.reason) for r in refused] == [("o1", "hold_expired")]
    assert settled[0].refund_reason == "hold_expired"
    assert settled[1].elsewhere == "o2" and settled[1].current is None  # read after the batch

"""The after-sale rules, pure: the organiser's rules, listing caps, the
waiting-list join, which tickets a refund takes. No database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from boxoffice.errors import AlreadyCheckedIn, InvalidRequest, NotAllowed, NothingToRefund, ShowCancelled, TicketNotValid
from boxoffice.orders.domain import Order, OrderStatus, Ticket
from boxoffice.refunds.domain import refundable
from boxoffice.resale.domain import check_listable, seller_refund
from boxoffice.rules.domain import AfterSaleRules
from boxoffice.waitlist.domain import AlreadyOnList, Entry, EntryStatus, TicketsAvailable, check_join

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
STARTS = NOW + timedelta(days=10)


def ticket(**kw: object) -> Ticket:
    values: dict[str, object] = dict(id="t", code="c", order_id="o", account_id="a", show_id="s", section_id="x",
                                     seat_id=None, price_cents=10_000, issued_at=NOW)  # fmt: skip
    values.update(kw)
    return Ticket(**values)  # type: ignore[arg-type]


def test_transfer_rules() -> None:
    rules = AfterSaleRules("s")
    rules.check_transfer(NOW, STARTS, 0)
    with pytest.raises(NotAllowed):
        rules.check_transfer(NOW, STARTS, 1)  # max_transfers 1
    with pytest.raises(NotAllowed):
        rules.check_transfer(STARTS, STARTS, 0)  # the show started
    with pytest.raises(NotAllowed):
        rules.changed({"transfers_enabled": False}).check_transfer(NOW, STARTS, 0)
    with pytest.raises(ShowCancelled):
        rules.changed({"cancelled_at": NOW}).check_transfer(NOW, STARTS, 0)


def test_rule_bounds_and_the_cap() -> None:
    rules = AfterSaleRules("s")
    for bad in ({"resale_cap_percent": 151}, {"max_transfers": 11}, {"offer_minutes": 0}):
        with pytest.raises(InvalidRequest):
            rules.changed(bad)
    rules.check_listing(NOW, STARTS, 10_000, 10_000)
    with pytest.raises(InvalidRequest):
        rules.check_listing(NOW, STARTS, 10_001, 10_000)
    rules.changed({"resale_cap_percent": 110}).check_listing(NOW, STARTS, 11_000, 10_000)
    assert seller_refund(11_000, 10_000) == 10_000 and seller_refund(9_000, 10_000) == 9_000
    with pytest.raises(NotAllowed):
        rules.check_fan_refund(NOW, STARTS)  # off by default


def test_what_can_be_listed() -> None:
    check_listable(ticket(), "a")
    for bad, error in [(ticket(status="void"), TicketNotValid), (ticket(checked_in_at=NOW), AlreadyCheckedIn),
                       (ticket(transfers=1), NotAllowed), (ticket(account_id="b"), NotAllowed)]:  # fmt: skip
        with pytest.raises(error):
            check_listable(bad, "a")


def test_a_refund_takes_the_unused_tickets_the_holder_has() -> None:
    order = Order("o", "a", "h", "s", OrderStatus.PAID, 20_000, "BRL", "k", NOW, NOW)
    tickets = [ticket(id="1"), ticket(id="2", checked_in_at=NOW), ticket(id="3", account_id="b"), ticket(id="4", status="void")]
    assert [t.id for t in refundable(order, tickets)] == ["1", "3"]
    assert [t.id for t in refundable(order, tickets, "a")] == ["1"]
    assert [t.id for t in refundable(order, tickets, used_too=True)] == ["1", "2", "3"]
    with pytest.raises(NothingToRefund):
        refundable(order, [ticket(status="refunded")])
    order.status = OrderStatus.PENDING
    with pytest.raises(NothingToRefund):
        refundable(order, tickets)


def test_joining_the_waiting_list() -> None:
    check_join(2, 4, 1, 0, None)
    with pytest.raises(InvalidRequest):
        check_join(4, 4, 1, 0, None)  # over the limit
    with pytest.raises(TicketsAvailable):
        check_join(1, 4, 0, 5, None)
    waiting = Entry("e", "s", "x", "a", 1, EntryStatus.WAITING, NOW, NOW)
    with pytest.raises(AlreadyOnList):
        check_join(1, 4, 0, 0, waiting)
    check_join(1, 4, 0, 0, Entry("e", "s", "x", "a", 1, EntryStatus.LAPSED, NOW, NOW))  # may join again

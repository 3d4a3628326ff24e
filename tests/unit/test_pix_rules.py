"""Pix rules without a database: signatures, the BR Code, and the state table
that makes webhook order irrelevant."""

from __future__ import annotations

import itertools

import pytest

from boxoffice.orders.domain import OrderStatus
from boxoffice.payments.brcode import brcode, crc16, is_valid
from boxoffice.payments.domain import PaymentStatus, Step, next_step, status_after
from boxoffice.payments.signing import SignatureInvalid, sign, verify

SECRET = b"s3cret"


def test_a_signature_verifies_only_for_its_body_secret_and_time() -> None:
    body = b'{"id": "evt_1"}'
    header = sign(SECRET, 1_000, body)
    assert verify(SECRET, header, body, now=1_100) == 1_000
    for bad_secret, bad_body, now in ((b"other", body, 1_100), (SECRET, body + b" ", 1_100),
                                      (SECRET, body, 1_000 + 301), (SECRET, body, 1_000 - 301)):  # fmt: skip
        with pytest.raises(SignatureInvalid):
            verify(bad_secret, header, bad_body, now=now)
    for header in (None, "", "v1=abc", "t=x,v1=abc", "t=1000"):
        with pytest.raises(SignatureInvalid):
            verify(SECRET, header, body, now=1_000)


def test_the_copy_and_paste_code_carries_its_checksum() -> None:
    code = brcode("pix@example.com", "BOXOFFICE", "SAO PAULO", 25_000, "abc123")
    assert code.startswith("000201") and "5406250.00" in code and is_valid(code)
    assert crc16("123456789") == "29B1"  # the CRC-16/CCITT-FALSE check value
    assert not is_valid(code[:-1] + ("0" if code[-1] != "0" else "1"))


@pytest.mark.parametrize("news", list(itertools.permutations(["paid", "declined", "refunded"])))
def test_any_arrival_order_ends_in_the_same_state(news: tuple[str, ...]) -> None:
    """Replay news in every order: money that came in is either a sale or a refund."""
    order = OrderStatus.PENDING
    for status in news:
        step = next_step(order, status, past_deadline=False)
        if step is Step.SETTLE:
            order = OrderStatus.PAID
        elif step is Step.FAIL:
            order = OrderStatus.FAILED
    assert order in (OrderStatus.PAID, OrderStatus.FAILED)
    if order is OrderStatus.FAILED:  # paid news after a failure asks for a refund
        assert next_step(order, "paid", False) is Step.REFUND
        assert status_after(order, "paid") is PaymentStatus.REFUND_DUE
    assert status_after(order, "refunded") is PaymentStatus.REFUNDED


def test_a_pending_charge_expires_only_past_its_deadline() -> None:
    assert next_step(OrderStatus.PENDING, "pending", past_deadline=False) is Step.WAIT
    assert next_step(OrderStatus.PENDING, "pending", past_deadline=True) is Step.EXPIRE
    assert next_step(OrderStatus.PAID, "declined", past_deadline=True) is Step.RECORD

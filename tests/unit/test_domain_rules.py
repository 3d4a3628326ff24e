"""The pure rules, without a database: passwords, holds, limits, sale
windows, the lottery and admission tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boxoffice.accounts.domain import hash_token, normalise_email
from boxoffice.accounts.policy import check_password_strength
from boxoffice.errors import Forbidden, InvalidRequest, LimitExceeded, SaleNotOpen
from boxoffice.holds.domain import Hold, HoldRequest, HoldStatus, check_account_limit
from boxoffice.inventory.domain import Section, SectionKind, SectionSpec, Show
from boxoffice.waitingroom.domain import lottery_order
from boxoffice.waitingroom.tokens import AdmissionTokens
from tests.support import T0

@pytest.mark.parametrize(
    "password", ["short", "password123", "aaaaaaaaaaaaaa", "fan@example.com", "FAN", "x" * 300]
)
def test_weak_passwords_are_refused_with_a_reason(password: str) -> None:
    with pytest.raises(InvalidRequest, match="Password too"):
        check_password_strength(password, "fan@example.com")


def test_a_decent_password_passes_and_emails_compare_normalised() -> None:
    check_password_strength("correct horse battery", "fan@example.com")
    assert normalise_email("  Fan@Example.COM ") == "fan@example.com"
    assert hash_token("a") != hash_token("b") and len(hash_token("a")) == 64


@given(limit=st.integers(1, 10), already=st.integers(0, 10), requested=st.integers(1, 10))
def test_the_account_limit_counts_held_bought_and_requested(
    limit: int, already: int, requested: int
) -> None:
    if already + requested <= limit:
        check_account_limit(limit, already, requested)
    else:
        with pytest.raises(LimitExceeded) as refused:
            check_account_limit(limit, already, requested)
        assert refused.value.details["remaining"] == max(limit - already, 0)


def test_hold_requests_must_fit_the_section_kind() -> None:
    ga = Section("ga", "s", "Pista", SectionKind.GA, 100, 10)
    seated = Section("c", "s", "Cadeira", SectionKind.SEATED, 100, 20)
    assert HoldRequest("s", "ga", quantity=3).validated_quantity(ga, 10) == 3
    assert HoldRequest("s", "c", seat_ids=(4, 5)).validated_quantity(seated, 10) == 2
    assert HoldRequest("s", "c", quantity=2).validated_quantity(seated, 10) == 2  # best available
    for request, section in [
        (HoldRequest("s", "ga", seat_ids=(1,)), ga),
        (HoldRequest("s", "ga"), ga),
        (HoldRequest("s", "ga", quantity=11), ga),
        (HoldRequest("s", "c", quantity=11), seated),
        (HoldRequest("s", "c"), seated),
        (HoldRequest("s", "c", seat_ids=(4, 4)), seated),
        (HoldRequest("s", "c", seat_ids=(4, 5), quantity=3), seated),
        (HoldRequest("s", "c", seat_ids=()), seated),
    ]:
        with pytest.raises(InvalidRequest):
            request.validated_quantity(section, 10)


def test_an_idempotency_key_is_bound_to_what_was_asked() -> None:
    same = HoldRequest("s", "c", seat_ids=(2, 1)).fingerprint()
    assert same == HoldRequest("s", "c", seat_ids=(1, 2)).fingerprint()
    assert HoldRequest("s", "ga", quantity=3).fingerprint() != HoldRequest("s", "ga", quantity=4).fingerprint()


def test_a_hold_is_live_until_its_expiry_instant() -> None:
    hold = Hold("h", "a", "s", "ga", 2, HoldStatus.ACTIVE, T0, T0 + timedelta(minutes=10), "f")
    assert hold.is_live(T0 + timedelta(minutes=9, seconds=59))
    assert not hold.is_live(T0 + timedelta(minutes=10))
    assert hold.status_at(T0 + timedelta(minutes=10)) is HoldStatus.EXPIRED
    hold.status = HoldStatus.CONVERTED
    assert hold.status_at(T0 + timedelta(hours=1)) is HoldStatus.CONVERTED


def test_the_sale_window_is_enforced() -> None:
    show = Show("s", "Show", "Arena", T0 + timedelta(days=9), T0, T0 + timedelta(days=1), 4, "BRL", T0)
    with pytest.raises(SaleNotOpen, match="opens at"):
        show.check_on_sale(T0 - timedelta(seconds=1))
    show.check_on_sale(T0)
    with pytest.raises(SaleNotOpen, match="closed"):
        show.check_on_sale(T0 + timedelta(days=1))
    with pytest.raises(InvalidRequest):
        SectionSpec("Pista", SectionKind.GA, 100, capacity=0).validated()
    with pytest.raises(InvalidRequest):
        SectionSpec("Pista", SectionKind.GA, -5, capacity=10).validated()


@given(st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=40, unique=True))
def test_the_lottery_is_a_permutation_fixed_by_its_seed(entrants: list[str]) -> None:
    order = lottery_order("seed-1", entrants)
    assert sorted(order) == sorted(entrants)
    assert lottery_order("seed-1", list(reversed(entrants))) == order  # arrival order is irrelevant


def test_different_seeds_give_different_orders() -> None:
    entrants = [f"fan-{i}" for i in range(50)]
    assert lottery_order("seed-1", entrants) != lottery_order("seed-2", entrants)


def test_admission_tokens_are_bound_signed_and_short_lived() -> None:
    tokens = AdmissionTokens(b"server-secret")
    now = datetime(2030, 1, 1, tzinfo=UTC)
    token = tokens.issue("alice", "show-1", 7, now + timedelta(minutes=10))
    assert tokens.verify(token, "alice", "show-1", now) == 7
    for account, show, when, reason in [
        ("bob", "show-1", now, "admission_invalid"),
        ("alice", "show-2", now, "admission_invalid"),
        ("alice", "show-1", now + timedelta(minutes=10), "admission_expired"),
    ]:
        with pytest.raises(Forbidden) as refused:
            tokens.verify(token, account, show, when)
        assert refused.value.details["reason"] == reason
    forged = AdmissionTokens(b"guessed").issue("alice", "show-1", 1, now + timedelta(hours=1))
    with pytest.raises(Forbidden):
        tokens.verify(forged, "alice", "show-1", now)
    with pytest.raises(Forbidden):
        tokens.verify(token[:-2] + "xx", "alice", "show-1", now)
    with pytest.raises(Forbidden):
        tokens.verify(None, "alice", "show-1", now)

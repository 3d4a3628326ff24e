"""Webhook endpoint addresses and signatures: pure rules, no database."""

from __future__ import annotations

import pytest

from boxoffice.errors import InvalidRequest
from boxoffice.webhooks.domain import check_events, check_url, signature, verify


@pytest.mark.parametrize("url", [
    "http://example.com/h", "ftp://example.com/h", "https://", "https://[::1/h", "https://x.com:port/h",
    "https://user:pw@example.com/h", "http://10.0.0.1/h", "javascript:alert(1)", "https://" + "a" * 500,
])  # fmt: skip
def test_refused_addresses(url: str) -> None:
    with pytest.raises(InvalidRequest):
        check_url(url, allow_loopback_http=True)


def test_http_only_to_loopback_and_only_outside_production() -> None:
    for url in ("http://127.0.0.1:9000/h", "http://localhost/h", "http://[::1]:80/h"):
        assert check_url(url, allow_loopback_http=True) == url
        with pytest.raises(InvalidRequest):
            check_url(url, allow_loopback_http=False)
    assert check_url("https://hooks.example.com/x", allow_loopback_http=False)


def test_events_are_known_and_ordered() -> None:
    assert check_events(["ticket.checked_in", "order.paid"]) == ("order.paid", "ticket.checked_in")
    for bad in ([], ["order.lost"]):
        with pytest.raises(InvalidRequest):
            check_events(bad)


def test_signature_covers_time_and_body() -> None:
    header = signature("whsec_x", 1_000, b'{"a":1}')
    assert verify("whsec_x", header, b'{"a":1}', now=1_100)
    assert not verify("whsec_y", header, b'{"a":1}', now=1_100)  # another secret
    assert not verify("whsec_x", header, b'{"a":2}', now=1_100)  # another body
    assert not verify("whsec_x", header.replace("t=1000", "t=1100"), b'{"a":1}', now=1_100)  # another time
    assert not verify("whsec_x", header, b'{"a":1}', now=1_000 + 301)  # too old: a replay
    assert not verify("whsec_x", "garbage", b'{"a":1}', now=1_000)

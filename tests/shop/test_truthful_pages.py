"""What the fan's pages say is the truth: a paid checkout sends the fan to the
order, checkout and ticket pages are never cached, declined attempts stay in
the order's history (not My tickets), the limit is shown before picking, and
a refused form keeps what was typed and says, per field, what to fix."""

from __future__ import annotations

import httpx
import pytest

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.holds.domain import HoldRequest
from boxoffice.inventory.domain import Show
from tests.shop.pages import log_in, token
from tests.support import PASSWORD


@pytest.fixture
def backend() -> str:
    return "sqlite"  # pages add no SQL of their own: one backend is enough


async def _pay(client: httpx.AsyncClient, hold_id: str, outcome: str, key: str) -> httpx.Response:
    csrf = await token(client, f"/checkout/{hold_id}")
    return await client.post(f"/checkout/{hold_id}/pay", data={"outcome": outcome, "key": key, "csrf": csrf})


async def test_a_paid_checkout_sends_the_fan_to_the_order(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    fan = await log_in(client, container)
    held = await container.holds.create(fan, HoldRequest(show.id, show.sections[0].id, quantity=2))
    page = await client.get(f"/checkout/{held.id}")
    assert page.headers["cache-control"] == "no-store" and 'id="pay"' in page.text

    declined = await _pay(client, held.id, "decline", "k1")
    assert declined.headers["location"].endswith("?error=payment_declined")
    paid = await _pay(client, held.id, "approve", "k2")
    order_url = paid.headers["location"]
    assert order_url.startswith("/orders/")

    again = await client.get(f"/checkout/{held.id}")  # Back, or a reload, after paying
    assert again.status_code == 303 and again.headers["location"] == order_url
    assert again.headers["cache-control"] == "no-store"
    replay = await client.post(f"/checkout/{held.id}/pay", data={"outcome": "approve", "key": "k3",
                                                                  "csrf": await token(client, order_url)})  # fmt: skip
    assert replay.headers["location"] == order_url  # paying twice: the same order, never a second charge

    order = await client.get(order_url)
    assert order.headers["cache-control"] == "no-store"
    assert 'id="attempts"' in order.text and "failed" in order.text and "BX-" in order.text
    assert "Fã Teste" in order.text and show.venue in order.text  # holder and venue on each ticket
    mine = await client.get("/my/tickets")
    assert mine.headers["cache-control"] == "no-store"
    assert mine.text.count('class="ticket"') == 2 and "chip-failed" not in mine.text


async def test_an_expired_hold_says_so_once(client: httpx.AsyncClient, container: Container, show: Show, clock: FakeClock) -> None:
    fan = await log_in(client, container)
    held = await container.holds.create(fan, HoldRequest(show.id, show.sections[0].id, quantity=1))
    clock.advance(seconds=container.settings.hold_minutes * 60 + 1)
    page = await client.get(f"/checkout/{held.id}?error=hold_expired")
    assert page.text.count("Your hold expired and the tickets went back on sale.") == 1
    assert 'id="pay"' not in page.text and "Pick tickets again" in page.text


async def test_the_limit_and_what_the_fan_has_are_shown_before_picking(
    client: httpx.AsyncClient, container: Container, show: Show
) -> None:
    fan = await log_in(client, container)
    await container.holds.create(fan, HoldRequest(show.id, show.sections[0].id, quantity=3))
    ga, seated = show.sections
    page = await client.get(f"/shows/{show.id}/sections/{ga.id}")
    assert "Up to 4 tickets per fan for this show." in page.text
    assert "You already have 3 (held or bought)." in page.text and "You can pick 1 more." in page.text
    assert '<option value="1"' in page.text and '<option value="2"' not in page.text

    # Two seats is one too many: the error says the limit, and both picks are still ticked.
    _, seats = await container.tickets.seat_map(show.id, seated.id)
    ids = [str(seats[0].id), str(seats[1].id)]
    r = await client.post(f"/shows/{show.id}/sections/{seated.id}/hold",
                          data={"seat": ids, "key": "k", "csrf": await token(client, f"/shows/{show.id}")})  # fmt: skip
    again = await client.get(r.headers["location"])
    assert "up to 4 tickets per fan, and you can pick 1 more" in again.text
    for seat_id in ids:
        assert f'value="{seat_id}"  checked' in again.text or f'value="{seat_id}" checked' in again.text


async def test_registration_errors_are_per_field_and_keep_what_was_typed(client: httpx.AsyncClient) -> None:
    csrf = await token(client, "/register")
    r = await client.post("/register", data={"name": "Ana", "email": "not-an-email", "password": "short",
                                             "csrf": csrf, "next": "/my/tickets"})  # fmt: skip
    assert r.status_code == 422
    assert 'id="email" name="email" type="email" autocomplete="email" required value="not-an-email" aria-invalid="true"' in r.text
    assert "Enter an email address like name@example.com." in r.text
    assert 'value="short"' in r.text and 'value="Ana"' in r.text and 'name="next" value="/my/tickets"' in r.text
    weak = await client.post("/register", data={"name": "Ana", "email": "ana@example.com", "password": "short",
                                                "csrf": csrf})  # fmt: skip
    assert 'value="short" aria-invalid="true" aria-describedby="password-error password-help"' in weak.text
    assert 'id="email" name="email" type="email" autocomplete="email" required value="ana@example.com">' in weak.text
    pt = await client.post("/register", headers={"Accept-Language": "pt-BR"}, data={
        "name": "Ana", "email": "not-an-email", "password": PASSWORD, "csrf": csrf})  # fmt: skip
    assert "Digite um e-mail como nome@exemplo.com." in pt.text


async def test_best_seats_together_from_the_picker(client: httpx.AsyncClient, container: Container, show: Show) -> None:
    await log_in(client, container)
    _, seated = show.sections
    picker = f"/shows/{show.id}/sections/{seated.id}"
    page = await client.get(picker)
    assert 'id="best-seats"' in page.text and 'name="best_quantity"' in page.text
    r = await client.post(f"{picker}/hold", data={"best": "1", "best_quantity": "2", "key": "kb",
                                                 "csrf": await token(client, picker)})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/checkout/"), r.headers
    checkout = await client.get(r.headers["location"])
    assert "A-5, A-6" in checkout.text  # front row, centre, together

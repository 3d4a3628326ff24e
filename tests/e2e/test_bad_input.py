"""Bad input, endpoint by endpoint: a clear JSON error with the right status
and a stable code, and nothing changed in the database. On SQLite and
PostgreSQL. A last test checks that every /api path and method of the
OpenAPI schema has at least one case here, so a new endpoint cannot be
forgotten.

The cases share one world per backend (accounts, shows, a hold, an order):
each only reads it and asserts that it changed nothing, so none can see
another's trace; building it per case took ~0.6 s, 240 times."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.storage.tables import metadata, sections, seats
from boxoffice.web.app import create_app
from tests.conftest import fresh_container
from tests.support import PASSWORD, POSTGRES_URL, T0, Fan, organiser, settings_for, show_spec, sign_up


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # with {show}, {ga}, {seated}, {hold}, {order}, {ticket}, {other_show_seat}
    status: int
    code: str
    who: str = "fan"  # fan | other | organiser | nobody | bad_token
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


NO_SUCH = "0" * 32
LONG = "x" * 5000

CASES = [
    # -- accounts
    Case("register malformed json", "POST", "/api/v1/auth/register", 400, "malformed_json", "nobody",
         content=b'{"email": ', headers={"Content-Type": "application/json"}),
    Case("register not utf-8", "POST", "/api/v1/auth/register", 400, "malformed_json", "nobody",
         content=b'{"email": "\xff\xfe"}', headers={"Content-Type": "application/json"}),
    Case("register bad email", "POST", "/api/v1/auth/register", 422, "invalid_request", "nobody",
         json={"email": "not-an-email", "password": PASSWORD, "name": "A"}),
    Case("register weak password", "POST", "/api/v1/auth/register", 422, "invalid_request", "nobody",
         json={"email": "weak@example.com", "password": "123", "name": "A"}),
    Case("register missing name", "POST", "/api/v1/auth/register", 422, "invalid_request", "nobody",
         json={"email": "a@example.com", "password": PASSWORD}),
    Case("register extra field", "POST", "/api/v1/auth/register", 422, "invalid_request", "nobody",
         json={"email": "b@example.com", "password": PASSWORD, "name": "B", "role": "organiser"}),
    Case("register huge name", "POST", "/api/v1/auth/register", 422, "invalid_request", "nobody",
         json={"email": "c@example.com", "password": PASSWORD, "name": LONG}),
    Case("login wrong password", "POST", "/api/v1/auth/login", 401, "invalid_credentials", "nobody",
         json={"email": "{fan_email}", "password": "wrong password!!"}),
    Case("login unknown email", "POST", "/api/v1/auth/login", 401, "invalid_credentials", "nobody",
         json={"email": "nobody-here@example.com", "password": PASSWORD}),
    Case("login wrong types", "POST", "/api/v1/auth/login", 422, "invalid_request", "nobody",
         json={"email": 12, "password": ["x"]}),
    Case("logout without a session", "POST", "/api/v1/auth/logout", 401, "not_authenticated", "nobody"),
    Case("me with a made-up token", "GET", "/api/v1/me", 401, "not_authenticated", "bad_token"),
    # -- organiser webhooks
    Case("webhook over plain http", "POST", "/api/v1/admin/webhooks", 422, "invalid_request", "organiser",
         json={"url": "http://example.com/hooks", "events": ["order.paid"]}),
    Case("webhook of an unknown event", "POST", "/api/v1/admin/webhooks", 422, "invalid_request", "organiser",
         json={"url": "https://example.com/hooks", "events": ["order.lost"]}),
    Case("fan lists webhooks", "GET", "/api/v1/admin/webhooks", 403, "forbidden"),
    Case("remove an unknown webhook", "DELETE", f"/api/v1/admin/webhooks/{NO_SUCH}", 404, "not_found", "organiser"),
    Case("deliveries of an unknown webhook", "GET", f"/api/v1/admin/webhooks/{NO_SUCH}/deliveries", 404,
         "not_found", "organiser"),
    Case("mail language unknown", "PUT", "/api/v1/me/language", 422, "invalid_request", json={"language": "fr"}),
    Case("mail language without a session", "PUT", "/api/v1/me/language", 401, "not_authenticated", "nobody",
         json={"language": "en"}),
    # -- catalogue
    Case("unknown show", "GET", "/api/v1/shows/" + NO_SUCH, 404, "not_found", "nobody"),
    Case("shows list by the wrong method", "DELETE", "/api/v1/shows", 405, "method_not_allowed", "nobody"),
    Case("availability of an unknown show", "GET", f"/api/v1/shows/{NO_SUCH}/availability", 404,
         "not_found", "nobody"),
    Case("seats of a general-admission section", "GET", "/api/v1/shows/{show}/sections/{ga}/seats", 422,
         "invalid_request", "nobody"),
    Case("seats of an unknown section", "GET", f"/api/v1/shows/{{show}}/sections/{NO_SUCH}/seats", 404,
         "not_found", "nobody"),
    # -- holds
    Case("hold without login", "POST", "/api/v1/holds", 401, "not_authenticated", "nobody",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 1}),
    Case("hold zero tickets", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 0}),
    Case("hold a negative quantity", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": -3}),
    Case("hold a huge quantity", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 10**9}),
    Case("hold a quantity as text", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": "2"}),
    Case("hold over the per-account limit", "POST", "/api/v1/holds", 409, "limit_exceeded",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 4}),
    Case("hold in an unknown show", "POST", "/api/v1/holds", 404, "not_found",
         json={"show_id": NO_SUCH, "section_id": "{ga}", "quantity": 1}),
    Case("hold seats in a GA section", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "seat_ids": [1]}),
    Case("hold seats and a quantity that disagree", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{seated}", "seat_ids": ["{free_seat}"], "quantity": 2}),
    Case("hold the same seat twice", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{seated}", "seat_ids": ["{free_seat}", "{free_seat}"]}),
    Case("hold a seat of another section", "POST", "/api/v1/holds", 404, "not_found",
         json={"show_id": "{show}", "section_id": "{seated}", "seat_ids": ["{other_show_seat}"]}),
    Case("hold a sold seat", "POST", "/api/v1/holds", 409, "seats_unavailable", "other",
         json={"show_id": "{show}", "section_id": "{seated}", "seat_ids": ["{sold_seat}"]}),
    Case("hold with an unknown field", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 1, "price_cents": 1}),
    Case("hold key reused for another request", "POST", "/api/v1/holds", 422, "idempotency_key_reused",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 1}, headers={"Idempotency-Key": "fan-hold"}),
    Case("hold with an oversized key", "POST", "/api/v1/holds", 422, "invalid_request",
         json={"show_id": "{show}", "section_id": "{ga}", "quantity": 1}, headers={"Idempotency-Key": LONG}),
    Case("someone else's hold", "GET", "/api/v1/holds/{hold}", 404, "not_found", "other"),
    Case("an unknown hold", "GET", f"/api/v1/holds/{NO_SUCH}", 404, "not_found"),
    Case("release someone else's hold", "DELETE", "/api/v1/holds/{hold}", 404, "not_found", "other"),
    Case("release a converted hold", "DELETE", "/api/v1/holds/{paid_hold}", 409, "hold_not_active"),
    Case("my holds without a show", "GET", "/api/v1/me/holds", 422, "invalid_request"),
    # -- orders and tickets
    Case("order without a key", "POST", "/api/v1/orders", 422, "invalid_request",
         json={"hold_id": "{hold}", "payment": {"method": "fake", "outcome": "approve"}}),
    Case("order for someone else's hold", "POST", "/api/v1/orders", 404, "not_found", "other",
         json={"hold_id": "{hold}", "payment": {"method": "fake", "outcome": "approve"}},
         headers={"Idempotency-Key": "steal"}),
    Case("order a paid hold again", "POST", "/api/v1/orders", 409, "already_paid",
         json={"hold_id": "{paid_hold}", "payment": {"method": "fake", "outcome": "approve"}},
         headers={"Idempotency-Key": "second-order"}),
    Case("order with an unknown payment method", "POST", "/api/v1/orders", 422, "invalid_request",
         json={"hold_id": "{hold}", "payment": {"method": "bitcoin"}}, headers={"Idempotency-Key": "k1"}),
    Case("order missing the hold", "POST", "/api/v1/orders", 422, "invalid_request",
         json={"payment": {"method": "fake"}}, headers={"Idempotency-Key": "k2"}),
    Case("someone else's order", "GET", "/api/v1/orders/{order}", 404, "not_found", "other"),
    Case("orders without login", "GET", "/api/v1/orders", 401, "not_authenticated", "nobody"),
    Case("someone else's ticket", "GET", "/api/v1/tickets/{ticket}", 404, "not_found", "other"),
    Case("someone else's ticket QR", "GET", "/api/v1/tickets/{ticket}/qr.svg", 404, "not_found", "other"),
    # -- organiser
    Case("fan creates a show", "POST", "/api/v1/admin/shows", 403, "forbidden",
         json={"name": "Mine", "venue": "Here"}),
    Case("show closing before it opens", "POST", "/api/v1/admin/shows", 422, "invalid_request", "organiser",
         json={"name": "Backwards", "venue": "Arena", "starts_at": "2030-03-01T20:00:00Z",
               "sale_opens_at": "2030-02-01T10:00:00Z", "sale_closes_at": "2030-01-01T10:00:00Z",
               "sections": [{"name": "Pista", "kind": "ga", "price_cents": 100, "capacity": 10}]}),
    Case("show with a negative price", "POST", "/api/v1/admin/shows", 422, "invalid_request", "organiser",
         json={"name": "Cheap", "venue": "Arena", "starts_at": "2030-03-01T20:00:00Z",
               "sale_opens_at": "2030-01-01T10:00:00Z", "sale_closes_at": "2030-02-01T10:00:00Z",
               "sections": [{"name": "Pista", "kind": "ga", "price_cents": -1, "capacity": 10}]}),
    Case("edit an unknown show", "PATCH", f"/api/v1/admin/shows/{NO_SUCH}", 404, "not_found", "organiser",
         json={"name": "Renamed"}),
    Case("fan edits a show", "PATCH", "/api/v1/admin/shows/{show}", 403, "forbidden", json={"name": "Mine"}),
    Case("export an unknown show", "GET", f"/api/v1/admin/shows/{NO_SUCH}/export", 404, "not_found",
         "organiser"),
    Case("section without capacity or rows", "POST", "/api/v1/admin/shows/{show}/sections", 422,
         "invalid_request", "organiser", json={"name": "Empty", "kind": "ga", "price_cents": 100}),
    Case("capacity below what is sold", "PATCH", "/api/v1/admin/shows/{show}/sections/{ga}", 409,
         "capacity_below_sold", "organiser", json={"capacity": 1}),
    Case("fan reads stats", "GET", "/api/v1/admin/shows/{show}/stats", 403, "forbidden"),
    Case("check in an unknown code", "POST", "/api/v1/admin/checkin", 404, "not_found", "organiser",
         json={"code": "NOPE"}),
    Case("fan checks a ticket in", "POST", "/api/v1/admin/checkin", 403, "forbidden", json={"code": "{ticket}"}),
    # -- audit trail
    Case("fan reads an order's audit trail", "GET", "/api/v1/admin/orders/{order}/audit", 403, "forbidden"),
    Case("audit trail of an unknown order", "GET", f"/api/v1/admin/orders/{NO_SUCH}/audit", 404, "not_found",
         "organiser"),
    Case("fan reads a hold's audit trail", "GET", "/api/v1/admin/holds/{hold}/audit", 403, "forbidden"),
    Case("audit trail of an unknown hold", "GET", f"/api/v1/admin/holds/{NO_SUCH}/audit", 404, "not_found",
         "organiser"),
    # -- waiting room
    Case("join a show without a room", "POST", "/api/v1/shows/{show}/queue", 409, "queue_not_open"),
    Case("poll a show without a room", "GET", "/api/v1/shows/{show}/queue", 409, "queue_not_open"),
    Case("lottery of a show without a room", "GET", "/api/v1/shows/{show}/queue/lottery", 404, "not_found"),
    Case("entrants of a lottery not drawn", "GET", "/api/v1/shows/{show}/queue/lottery/entrants", 404, "not_found"),
    Case("fan configures the room", "PUT", "/api/v1/admin/shows/{show}/waiting-room", 403, "forbidden",
         json={"enabled": True, "opens_at": "2030-01-01T10:00:00Z", "admit_per_minute": 60}),
    Case("room with a zero rate", "PUT", "/api/v1/admin/shows/{show}/waiting-room", 422, "invalid_request",
         "organiser", json={"enabled": True, "opens_at": "2030-01-01T10:00:00Z", "admit_per_minute": 0}),
    Case("room of an unknown show", "GET", f"/api/v1/admin/shows/{NO_SUCH}/waiting-room", 404, "not_found",
         "organiser"),
    # -- after the sale (issue 19)
    Case("rules of an unknown show", "GET", f"/api/v1/shows/{NO_SUCH}/after-sale", 404, "not_found", "nobody"),
    Case("fan changes the after-sale rules", "PATCH", "/api/v1/admin/shows/{show}/after-sale", 403, "forbidden",
         json={"fan_refunds": True}),
    Case("resale cap above 150 %", "PATCH", "/api/v1/admin/shows/{show}/after-sale", 422, "invalid_request",
         "organiser", json={"resale_cap_percent": 500}),
    Case("fan refund the organiser does not allow", "POST", "/api/v1/orders/{order}/refund", 409, "not_allowed",
         headers={"Idempotency-Key": "refund-1"}),
    Case("refund someone else's order", "POST", "/api/v1/orders/{order}/refund", 404, "not_found", "other",
         headers={"Idempotency-Key": "refund-2"}),
    Case("refunds of someone else's order", "GET", "/api/v1/orders/{order}/refunds", 404, "not_found", "other"),
    Case("fan refunds as an organiser", "POST", "/api/v1/admin/orders/{order}/refund", 403, "forbidden",
         headers={"Idempotency-Key": "refund-3"}),
    Case("organiser refund without a key", "POST", "/api/v1/admin/orders/{order}/refund", 422,
         "invalid_request", "organiser"),
    Case("fan cancels a show", "POST", "/api/v1/admin/shows/{show}/cancel", 403, "forbidden",
         headers={"Idempotency-Key": "cancel-1"}),
    Case("cancel an unknown show", "POST", f"/api/v1/admin/shows/{NO_SUCH}/cancel", 404, "not_found",
         "organiser", headers={"Idempotency-Key": "cancel-2"}),
    Case("transfer to yourself", "POST", "/api/v1/tickets/{ticket}/transfer", 422, "invalid_request",
         json={"email": "{fan_email}"}, headers={"Idempotency-Key": "t-1"}),
    Case("transfer to a missing account", "POST", "/api/v1/tickets/{ticket}/transfer", 404, "not_found",
         json={"email": "nobody-at-all@example.com"}, headers={"Idempotency-Key": "t-2"}),
    Case("transfer someone else's ticket", "POST", "/api/v1/tickets/{ticket}/transfer", 404, "not_found",
         "other", json={"email": "{fan_email}"}, headers={"Idempotency-Key": "t-3"}),
    Case("list above the cap", "POST", "/api/v1/resale/listings", 422, "invalid_request",
         json={"ticket_codes": ["{ticket}"], "price_cents": 10**9}),
    Case("list someone else's ticket", "POST", "/api/v1/resale/listings", 404, "not_found", "other",
         json={"ticket_codes": ["{ticket}"], "price_cents": 100}),
    Case("my listings without login", "GET", "/api/v1/resale/listings", 401, "not_authenticated", "nobody"),
    Case("withdraw an unknown listing", "DELETE", f"/api/v1/resale/listings/{NO_SUCH}", 404, "not_found"),
    Case("resale of an unknown show", "GET", f"/api/v1/shows/{NO_SUCH}/resale", 404, "not_found", "nobody"),
    Case("buy an unknown listing", "POST", f"/api/v1/resale/listings/{NO_SUCH}/buy", 404, "not_found",
         json={"payment": {"method": "fake"}}, headers={"Idempotency-Key": "b-1"}),
    Case("buy a listing without a key", "POST", f"/api/v1/resale/listings/{NO_SUCH}/buy", 422,
         "invalid_request", json={"payment": {"method": "fake"}}),
    Case("waiting list while tickets are on sale", "POST", "/api/v1/shows/{show}/waitlist", 409,
         "tickets_available", "other", json={"section_id": "{ga}", "quantity": 1}),
    Case("waiting list for zero tickets", "POST", "/api/v1/shows/{show}/waitlist", 422, "invalid_request",
         json={"section_id": "{ga}", "quantity": 0}),
    Case("place on a list you did not join", "GET", "/api/v1/shows/{show}/waitlist", 404, "not_found"),
    Case("leave a list you did not join", "DELETE", "/api/v1/shows/{show}/waitlist", 404, "not_found"),
    Case("fan reads the waiting-list figures", "GET", "/api/v1/admin/shows/{show}/waitlist", 403, "forbidden"),
    Case("someone else's live code", "GET", "/api/v1/tickets/{ticket}/live", 404, "not_found", "other"),
    Case("check-in export of an unknown show", "GET", f"/api/v1/admin/shows/{NO_SUCH}/checkin-export", 404,
         "not_found", "organiser"),
    Case("notifications without login", "GET", "/api/v1/notifications", 401, "not_authenticated", "nobody"),
    Case("read an unknown notification", "POST", f"/api/v1/notifications/{NO_SUCH}/read", 404, "not_found"),
    Case("read all without login", "POST", "/api/v1/notifications/read", 401, "not_authenticated", "nobody"),
    # -- payments, presale, vouchers
    Case("pix webhook without pix", "POST", "/api/v1/payments/pix/webhook", 404, "not_found", "nobody",
         content=b"{}", headers={"X-Pix-Signature": "t=1,v1=00"}),
    Case("order with an unknown voucher", "POST", "/api/v1/orders", 404, "voucher_invalid",
         json={"hold_id": "{hold}", "payment": {"method": "fake"}, "voucher": "NOPE1-NOPE2-NOPE3-NOPE4"},
         headers={"Idempotency-Key": "v1"}),
    Case("presale of a show without one", "GET", "/api/v1/shows/{show}/presale", 404, "not_found", "nobody"),
    Case("register for no presale", "POST", "/api/v1/shows/{show}/presale/registration", 404, "not_found"),
    Case("my presale without one", "GET", "/api/v1/shows/{show}/presale/me", 404, "not_found"),
    Case("presale lottery without one", "GET", "/api/v1/shows/{show}/presale/lottery", 404, "not_found"),
    Case("presale code without a presale", "POST", "/api/v1/shows/{show}/presale/code", 404, "not_found",
         json={"code": "AAAAA-BBBBB-CCCCC-DDDDD"}),
    Case("presale code extra field", "POST", "/api/v1/shows/{show}/presale/code", 422, "invalid_request",
         json={"code": "A", "account_id": "x"}),
    Case("fan sets up a presale", "PUT", "/api/v1/admin/shows/{show}/presale", 403, "forbidden",
         json={"registration_opens_at": "2029-12-01T10:00:00Z", "registration_closes_at": "2029-12-02T10:00:00Z",
               "general_sale_at": "2030-01-02T10:00:00Z"}),
    Case("presale registration after the sale opens", "PUT", "/api/v1/admin/shows/{show}/presale", 422,
         "invalid_request", "organiser",
         json={"registration_opens_at": "2029-12-01T10:00:00Z", "registration_closes_at": "2030-01-02T10:00:00Z",
               "general_sale_at": "2030-01-03T10:00:00Z"}),
    Case("draw without a presale", "POST", "/api/v1/admin/shows/{show}/presale/draw", 404, "not_found",
         "organiser", json={"codes": 5}),
    Case("draw zero codes", "POST", "/api/v1/admin/shows/{show}/presale/draw", 422, "invalid_request",
         "organiser", json={"codes": 0}),
    Case("discount voucher without a discount", "POST", "/api/v1/admin/shows/{show}/vouchers", 422,
         "invalid_request", "organiser", json={"kind": "discount", "count": 2, "expires_at": "2030-02-01T00:00:00Z"}),
    Case("fan lists vouchers", "GET", "/api/v1/admin/shows/{show}/vouchers", 403, "forbidden"),
]  # fmt: skip


# Endpoints that take no input at all (no body, no parameters, no login).
NOTHING_TO_GET_WRONG = {("GET", "/api/v1/shows")}


@dataclass
class World:
    container: Container
    client: httpx.AsyncClient
    values: dict[str, str]
    clients: dict[str, dict[str, str]]


# Every case comes from one address and many from one account, in one
# container: no rate limit may answer in a case's place.
NO_LIMITS = {f"{name}_rate": "1000000/minute" for name in ("queue", "ip", "presale_code")}


@pytest_asyncio.fixture(
    scope="module", loop_scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp(f"bad-input-{request.param}")
    url = POSTGRES_URL if request.param == "postgres" else f"sqlite+aiosqlite:///{folder / 'boxoffice.db'}"
    async with fresh_container(settings_for(folder, url, **NO_LIMITS), FakeClock(T0)) as container:
        transport = httpx.ASGITransport(app=create_app(container, sweep_every=None))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            show = await container.inventory.create_show(show_spec())
            yield await _world(container, client, show)


async def _world(container: Container, client: httpx.AsyncClient, show: Show) -> World:
    fan = await sign_up(client)
    other = await sign_up(client)
    boss: Fan = await organiser(container, client)
    ga, seated = show.sections
    seat_map = (await client.get(f"/api/v1/shows/{show.id}/sections/{seated.id}/seats")).json()["seats"]
    held = (await fan.hold(show.id, ga.id, key="fan-hold", quantity=2)).json()
    paid_hold = (await fan.hold(show.id, seated.id, seat_ids=[seat_map[0]["id"]])).json()
    order = (await fan.pay(paid_hold["hold_id"], key="fan-order")).json()
    another = await container.inventory.create_show(
        (await container.inventory.export_show(show.id))
    )
    other_seats = (await client.get(
        f"/api/v1/shows/{another.id}/sections/{another.sections[1].id}/seats"
    )).json()["seats"]  # fmt: skip
    return World(
        container=container,
        client=client,
        values={
            "show": show.id, "ga": ga.id, "seated": seated.id, "hold": held["hold_id"],
            "paid_hold": paid_hold["hold_id"], "order": order["order_id"],
            "ticket": order["tickets"][0]["code"], "sold_seat": str(seat_map[0]["id"]),
            "free_seat": str(seat_map[1]["id"]), "other_show_seat": str(other_seats[0]["id"]),
            "fan_email": fan.email,
        },  # fmt: skip
        clients={
            "fan": fan.auth, "other": other.auth, "organiser": boss.auth, "nobody": {},
            "bad_token": {"Authorization": "Bearer made-up-token"},
        },
    )


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Put the world's ids into a case; "{free_seat}" alone becomes an int."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1].endswith("seat"):
            return int(values[value[1:-1]])
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


async def _snapshot(container: Container) -> dict[str, Any]:
    """Row counts of every table, and the inventory counters: what must not move."""
    counts: dict[str, Any] = {}
    async with container.database.engine.connect() as conn:
        for table in metadata.sorted_tables:
            counts[table.name] = await conn.scalar(select(func.count()).select_from(table))
        counts["counters"] = (await conn.execute(
            select(func.sum(sections.c.sold_count), func.sum(sections.c.held_count))
        )).one()._tuple()  # fmt: skip
        counts["seats held"] = await conn.scalar(
            select(func.count()).select_from(seats).where(seats.c.hold_id.is_not(None))
        )
    return counts


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_bad_input_gets_a_clear_error_and_changes_nothing(case: Case, world: World) -> None:
    before = await _snapshot(world.container)
    world.client.cookies.clear()  # each case brings only its own credentials
    r = await world.client.request(
        case.method,
        case.path.format(**world.values),
        json=_fill(case.json, world.values) if case.json is not None else None,
        content=case.content,
        headers={**world.clients[case.who], **case.headers},
    )
    assert r.status_code == case.status, r.text
    error = r.json()["error"]
    assert error["code"] == case.code
    assert isinstance(error["message"], str) and error["message"]
    assert await _snapshot(world.container) == before


def test_every_api_endpoint_has_a_bad_input_case(client: httpx.AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    covered = {(c.method, _template(c.path)) for c in CASES} | NOTHING_TO_GET_WRONG
    missing = []
    for path, methods in app.openapi()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in methods:
            if (method.upper(), _template(path)) not in covered:
                missing.append(f"{method.upper()} {path}")
    assert missing == []


def _template(path: str) -> str:
    """/api/v1/shows/{show_id}/x and /api/v1/shows/{show}/x (or a literal id) are one endpoint."""
    parts = []
    for part in path.split("/"):
        literal_id = len(part) == 32 and part.isalnum() or part == "NOPE"
        parts.append("{}" if part.startswith("{") or literal_id else part)
    return "/".join(parts)

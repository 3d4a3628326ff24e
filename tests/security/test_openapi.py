"""The OpenAPI document a client (or a fuzzer) reads: error answers on every
route, the bearer scheme, a typed payment, and 405s that name every allowed
method. (Issue 17, finding 11; the fuzzer itself: test_fuzz_api.py.)"""

from __future__ import annotations

import httpx
import pytest

from boxoffice.inventory.domain import Show
from tests.support import sign_up


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_every_route_documents_its_errors_and_who_may_call_it(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {**schema["components"]["securitySchemes"]["bearer"],
                                                                  "type": "http", "scheme": "bearer"}  # fmt: skip
    operations = {(m.upper(), p): op for p, ops in schema["paths"].items() for m, op in ops.items()}
    assert len(operations) > 30
    for (method, path), op in operations.items():
        responses = op["responses"]
        assert "503" in responses, (method, path)
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if "{" in path:
            assert "404" in responses, (method, path)
    holds = operations[("POST", "/api/v1/holds")]
    assert holds["security"] == [{"bearer": []}]
    assert {"400", "401", "403", "404", "409", "413", "422", "429", "503"} <= set(holds["responses"])
    assert "security" not in operations[("GET", "/api/v1/shows")]
    assert {"402", "504"} <= set(operations[("POST", "/api/v1/orders")]["responses"])


async def test_payment_is_a_union_told_apart_by_method(client: httpx.AsyncClient, show: Show) -> None:
    schema = (await client.get("/openapi.json")).json()
    payment = schema["components"]["schemas"]["OrderIn"]["properties"]["payment"]
    assert set(payment["discriminator"]["mapping"]) == {"fake", "pix"}
    assert len(payment["oneOf"]) == 2
    fan = await sign_up(client)
    hold = (await fan.hold(show.id, show.sections[0].id, quantity=1)).json()["hold_id"]
    for bad in ({"method": "card"}, {"method": "fake", "outcome": "steal"}, {"method": "fake", "amount": 0}, {}):
        r = await fan.post("/api/v1/orders", json={"hold_id": hold, "payment": bad}, headers={"Idempotency-Key": "k"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", bad
    assert (await fan.pay(hold, "k2")).status_code == 201


async def test_a_405_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    r = await client.request("PATCH", "/api/v1/holds/abc")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert r.headers["allow"] == "DELETE, GET"

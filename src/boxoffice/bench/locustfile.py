"""Fan journeys for locust: browse, check availability, hold, pay, look at the tickets.

    locust -f src/boxoffice/bench/locustfile.py --host http://127.0.0.1:8080 \\
        --headless -u 200 -r 50 -t 60s

Each simulated fan registers its own account on start, so raise the
server's BOXOFFICE_REGISTER_RATE / _LOGIN_RATE / _HOLD_RATE / _IP_RATE for a
load test from one machine. Sold out (409) is a normal answer in a sale and
counts as a success; anything unexpected counts as a failure.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from locust import HttpUser, between, task

# Refusals that are a sale's normal answers, not failures: (status, error code).
EXPECTED_REFUSALS = {
    (409, "sold_out"), (409, "seats_unavailable"), (409, "hold_expired"),
    (409, "limit_exceeded"),  # the fan already holds or bought the show's per-account limit
}  # fmt: skip


class Fan(HttpUser):
    wait_time = between(0.2, 1.5)

    def on_start(self) -> None:
        email, password = f"locust-{uuid.uuid4().hex}@example.com", f"locust-{uuid.uuid4().hex}"
        self.client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": "Locust"},
                         name="/api/v1/auth/register")  # fmt: skip
        login = self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        self.client.cookies.clear()  # the Bearer token only: no CSRF for cookie sessions needed
        self.headers = {"Authorization": f"Bearer {login.json()['token']}"}
        shows = self.client.get("/api/v1/shows").json()
        on_sale = [s for s in shows if s.get("sale_status") == "on_sale"]
        self.show_id = on_sale[0]["id"] if on_sale else None

    @task(10)
    def browse(self) -> None:
        if self.show_id:
            self.client.get(f"/api/v1/shows/{self.show_id}", name="/api/v1/shows/{id}")
            self.client.get(f"/api/v1/shows/{self.show_id}/availability", name="/api/v1/shows/{id}/availability")

    @task(3)
    def buy(self) -> None:
        if not self.show_id:
            return
        sections = self.client.get(f"/api/v1/shows/{self.show_id}/availability",
                                   name="/api/v1/shows/{id}/availability").json()["sections"]  # fmt: skip
        open_ga = [s for s in sections if s["kind"] == "ga" and s["available"] > 0]
        if not open_ga:
            return
        body = {"show_id": self.show_id, "section_id": random.choice(open_ga)["section_id"],
                "quantity": random.randint(1, 2)}  # fmt: skip
        hold = self._post("/api/v1/holds", body)
        if hold is None:
            return
        self._post("/api/v1/orders", {"hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}})

    @task(1)
    def my_orders(self) -> None:
        self.client.get("/api/v1/orders", headers=self.headers)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(path, json=body, headers=headers, catch_response=True) as r:
            if r.status_code == 201:
                return r.json()  # type: ignore[no-any-return]
            code = r.json().get("error", {}).get("code") if r.headers.get("content-type", "").startswith("application/json") else None
            if (r.status_code, code) in EXPECTED_REFUSALS:
                r.success()
            else:
                r.failure(f"{r.status_code} {code}")
        return None

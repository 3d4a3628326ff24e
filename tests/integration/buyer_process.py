"""One OS process of buyers, for the multi-process oversell test.

Usage: python -m tests.integration.buyer_process DB_URL DATA_DIR SHOW SECTION MODE EMAIL...
Prints one JSON line: the outcome of each buyer (hold status, order status, seats).
Every process uses the same fixed fake time as the parent test, so they agree on
which holds are live.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from boxoffice.errors import DomainError
from boxoffice.holds.domain import HoldRequest
from tests.support import PASSWORD, make_container, settings_for


async def buy(container, show_id: str, section_id: str, mode: str, email: str, seat_ids: list[int]):  # type: ignore[no-untyped-def]
    account, _ = await container.accounts.login(email, PASSWORD)
    if mode == "ga":
        request = HoldRequest(show_id, section_id, quantity=1)
    else:
        request = HoldRequest(show_id, section_id, seat_ids=tuple(random.sample(seat_ids, 2)))
    try:
        hold = await container.holds.create(account, request, idempotency_key=f"h-{email}")
    except DomainError as exc:
        return {"email": email, "hold": exc.code}
    order = await container.orders.create(
        account, hold.id, {"method": "fake", "outcome": "approve"}, f"o-{email}"
    )
    return {
        "email": email,
        "hold": "ok",
        "order": order.status.value,
        "tickets": [[t.code, t.seat_id] for t in order.tickets],
    }


async def main(url: str, data_dir: str, show_id: str, section_id: str, mode: str, emails: list[str]) -> None:
    settings = settings_for(Path(data_dir), url, db_pool_size=5)
    container = make_container(settings)
    try:
        seat_ids: list[int] = []
        if mode == "seats":
            _, seats = await container.inventory.seat_map(show_id, section_id)
            seat_ids = [s.id for s in seats]
        results = await asyncio.gather(
            *(buy(container, show_id, section_id, mode, e, seat_ids) for e in emails)
        )
    finally:
        await container.close()
    print(json.dumps(results))


if __name__ == "__main__":
    url, data_dir, show_id, section_id, mode, *emails = sys.argv[1:]
    asyncio.run(main(url, data_dir, show_id, section_id, mode, emails))

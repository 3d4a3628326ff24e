"""The load: wrk for raw request rates (a C client, so the figures are the
server's, not the client's), and an aiohttp crowd of fans for the flash sale
itself (each fan holds 1-4 tickets, then pays), timed step by step."""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

WRK_SCRIPT = resources.files("boxoffice.bench") / "lua" / "request.lua"


@dataclass(frozen=True, slots=True)
class Rate:
    """One wrk phase: requests per second and latency, with the status codes seen."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    codes: dict[str, int]
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    name: str, base_url: str, path: str, *, seconds: int, connections: int,
    method: str = "GET", body: Path | None = None, tokens: Path | None = None,
    token_header: str | None = None,
) -> Rate:  # fmt: skip
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATH": path}
    if token_header is not None:
        env["BENCH_TOKEN_HEADER"] = token_header
    if body is not None:
        env["BENCH_BODY"] = str(body)
    if tokens is not None:
        env["BENCH_TOKENS"] = str(tokens)
    with resources.as_file(WRK_SCRIPT) as script:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s",
             "-s", str(script), base_url],
            env=env, capture_output=True, text=True, timeout=seconds + 60,
        )  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {name}: {done.stderr.strip() or done.stdout.strip()}")
    return Rate(name=name, **json.loads(line[len("BENCH ") :]))


@dataclass
class Step:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    def record(self, started: float, status: int, body: Any) -> None:
        self.latencies.append((time.perf_counter() - started) * 1000)
        code = body.get("error", {}).get("code", "") if isinstance(body, dict) else ""
        self.outcomes[f"{status} {code}".strip()] += 1

    def percentiles(self) -> tuple[float, float, float]:
        if len(self.latencies) < 2:
            only = self.latencies[0] if self.latencies else 0.0
            return only, only, only
        q = statistics.quantiles(self.latencies, n=100)
        return q[49], q[94], q[98]


@dataclass
class Sale:
    """The flash sale as the crowd saw it."""

    fans: int
    seconds: float = 0.0
    sold_out_after: float | None = None
    holds: Step = field(default_factory=Step)
    orders: Step = field(default_factory=Step)
    # (seconds into the sale, "hold"/"order"/"refused", that request's latency in ms):
    # the successes, and the fans answered with a refusal (sold out, seats taken)
    timeline: list[tuple[float, str, float]] = field(default_factory=list)
    # how the fans asked: "general admission", "best available", "picked on the map"
    asked: Counter[str] = field(default_factory=Counter)


async def flash_sale(
    base_url: str, tokens: list[str], show_id: str, ga_section: str, seated_section: str,
    seat_ids: list[int], *, concurrency: int, seed: int = 1, time_limit: float = 120,
    seated_share: float = 0.3, picked_share: float = 0.25,
) -> Sale:  # fmt: skip
    """Every fan tries once: hold 1-4 tickets, then pay. `seated_share` of the
    fans want numbered seats; of those, `picked_share` pick a block on the seat
    map as it was when the sale opened (and may lose the race), the rest ask
    for the best available seats together (as most fans in a big sale do)."""
    import aiohttp

    rng = random.Random(seed)
    sale = Sale(fans=len(tokens))
    queue = list(tokens)
    rng.shuffle(queue)
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base_url, connector=connector) as http:

        async def fan(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"h-{token[:16]}"}
            quantity = rng.randint(1, 4)
            body: dict[str, Any] = {"show_id": show_id, "section_id": ga_section, "quantity": quantity}
            asked = "general admission"
            if seated_section and seat_ids and rng.random() < seated_share:
                body["section_id"], asked = seated_section, "best available"
                if rng.random() < picked_share:
                    first = rng.randrange(0, max(len(seat_ids) - quantity, 1))
                    del body["quantity"]
                    body["seat_ids"], asked = seat_ids[first : first + quantity], "picked on the map"
            sale.asked[asked] += 1
            t0 = time.perf_counter()
            async with http.post("/api/v1/holds", json=body, headers=headers) as r:
                hold = await r.json()
                sale.holds.record(t0, r.status, hold)
            if r.status != 201:
                if r.status == 409:
                    sale.timeline.append((time.perf_counter() - started, "refused", sale.holds.latencies[-1]))
                return
            sale.timeline.append((time.perf_counter() - started, "hold", sale.holds.latencies[-1]))
            headers["Idempotency-Key"] = f"o-{token[:16]}"
            pay = {"hold_id": hold["hold_id"], "payment": {"method": "fake", "outcome": "approve"}}
            t0 = time.perf_counter()
            async with http.post("/api/v1/orders", json=pay, headers=headers) as r:
                sale.orders.record(t0, r.status, await r.json())
            if r.status == 201:
                sale.timeline.append((time.perf_counter() - started, "order", sale.orders.latencies[-1]))

        async def worker() -> None:
            while queue and time.perf_counter() - started < time_limit:
                await fan(queue.pop())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    sale.seconds = time.perf_counter() - started
    return sale


# request number -> (JSON body, headers)
Requests = Callable[[int], tuple[dict[str, Any], dict[str, str]]]


def pay_request(hold: tuple[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Paying one held hold (its id, the holder's token) with the fake gateway."""
    hold_id, token = hold
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"o-{hold_id}"}
    return {"hold_id": hold_id, "payment": {"method": "fake", "outcome": "approve"}}, headers


async def paced(
    name: str, base_url: str, path: str, body: dict[str, Any], tokens: list[str], *,
    rate: float, seconds: float, max_in_flight: int = 512, requests: Requests | None = None,
    count: int | None = None,
) -> Rate:  # fmt: skip
    """POST `body` at a steady `rate` per second for `seconds` (an open loop:
    requests leave on schedule whether or not earlier ones have answered), and
    time each from the moment it was due, so a stalled server shows up in the
    tail instead of quietly slowing the client down. With `requests`, request
    i is `requests(i)` (at most `count` of them) instead."""
    import aiohttp

    latencies: list[float] = []
    codes: Counter[str] = Counter()
    errors = 0
    total = max(min(int(rate * seconds), count if count is not None else math.inf), 1)
    slots = asyncio.Semaphore(max_in_flight)
    connector = aiohttp.TCPConnector(limit=max_in_flight)
    async with aiohttp.ClientSession(base_url, connector=connector) as http:

        async def one(i: int, due: float) -> None:
            nonlocal errors
            if requests is None:
                sent, headers = body, {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
            else:
                sent, headers = requests(i)
            try:
                async with http.post(path, json=sent, headers=headers) as r:
                    await r.read()
                    codes[str(r.status)] += 1
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
            finally:
                slots.release()
            latencies.append((time.perf_counter() - due) * 1000)

        started = time.perf_counter()
        tasks = []
        for i in range(total):
            due = started + i / rate
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            await slots.acquire()
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Rate(
        name=name, requests=len(latencies), seconds=elapsed, p50_ms=q[49], p95_ms=q[94],
        p99_ms=q[98], codes=dict(codes), socket_errors=errors,
    )  # fmt: skip


async def pay_holds(
    base_url: str, holds: list[tuple[str, str]], *, concurrency: int, seconds: float
) -> Rate:
    """Pay for held tickets (hold id, the holder's token), `concurrency` at a
    time, until they run out or `seconds` pass: the order path alone."""
    import aiohttp

    latencies: list[float] = []
    codes: Counter[str] = Counter()
    errors = 0
    queue = list(holds)
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base_url, connector=connector) as http:

        async def payer() -> None:
            nonlocal errors
            while queue and time.perf_counter() - started < seconds:
                body, headers = pay_request(queue.pop())
                t0 = time.perf_counter()
                try:
                    async with http.post("/api/v1/orders", json=body, headers=headers) as r:
                        await r.read()
                        codes[str(r.status)] += 1
                except (aiohttp.ClientError, TimeoutError):
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(payer() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else (latencies or [0.0]) * 99
    return Rate(
        name="orders", requests=len(latencies), seconds=elapsed, p50_ms=q[49], p95_ms=q[94],
        p99_ms=q[98], codes=dict(codes), socket_errors=errors,
    )  # fmt: skip


async def seat_ids_of(base_url: str, token: str, show_id: str, section_id: str) -> list[int]:
    import aiohttp

    if not section_id:
        return []
    async with aiohttp.ClientSession(base_url) as http:
        url = f"/api/v1/shows/{show_id}/sections/{section_id}/seats"
        async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as r:
            return [seat["id"] for seat in (await r.json())["seats"]]

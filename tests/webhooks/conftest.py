"""A local webhook receiver (plain http on loopback, allowed outside production)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from boxoffice.email.catcher import free_port


@dataclass
class Call:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    failures_left: int = 0
    status: int = 500

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(Call(dict(request.headers), await request.read()))
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=self.status)
        return web.Response(status=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    found.url = f"http://127.0.0.1:{port}/hooks"
    yield found
    await runner.cleanup()

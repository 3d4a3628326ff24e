"""The fake Pix provider as the real separate process (`boxoffice pix-provider`),
and the shop served over a real port in this test's event loop, so the
provider's webhooks can reach it while the test holds its container (and its
FakeClock)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import uvicorn

from boxoffice.bootstrap import Container
from boxoffice.web.app import create_app
from tests.e2e.server import Server, free_port

WEBHOOK_SECRET = "pix-test-webhook-secret-0123456789abcdef"
API_KEY = "pix-test-api-key"


class PixProvider(Server):
    """`boxoffice pix-provider` on a free port (stopped like a Server)."""

    def __init__(self, log: Path) -> None:
        super().__init__({}, log)

    def start(self, timeout: float = 120, workers: int = 1) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "boxoffice", "pix-provider", "--port", str(self.port),
                 "--webhook-secret", WEBHOOK_SECRET, "--api-key", API_KEY],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"pix provider did not start: {self.log.read_text()[-3000:]}")

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, timeout=10, headers={"Authorization": f"Bearer {API_KEY}"}
        )


@contextlib.asynccontextmanager
async def serving(container: Container, port: int) -> AsyncIterator[str]:
    """The shop's app on 127.0.0.1:port, in this event loop (no background jobs)."""
    config = uvicorn.Config(
        create_app(container, sweep_every=None), host="127.0.0.1", port=port,
        log_level="warning", lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(600):
        if server.started:
            break
        assert not task.done(), "the shop did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def eventually(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll `check()` (async) until it returns something truthy; generous for a busy machine."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)

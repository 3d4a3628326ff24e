"""The ASGI app: routers, the error handler, and the background sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from boxoffice import __version__
from boxoffice.accounts import endpoints as accounts
from boxoffice.bootstrap import Container
from boxoffice.holds import endpoints as holds
from boxoffice.inventory import endpoints as inventory
from boxoffice.orders import endpoints as orders
from boxoffice.waitingroom import endpoints as waitingroom
from boxoffice.web import errors, health

log = logging.getLogger("boxoffice.web")


def create_app(container: Container, *, sweep_every: float | None = 30.0) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs = []
        if sweep_every:
            jobs.append(asyncio.create_task(_sweep_forever(container, sweep_every)))
            jobs.append(asyncio.create_task(_admit_forever(container)))
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            await container.close()

    app = FastAPI(
        title="boxoffice",
        version=__version__,
        description="Sells the tickets of a mega show: fairly, fast, and never twice.",
        lifespan=lifespan,
    )
    app.state.container = container
    errors.install(app)
    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    for router in (
        health.router, accounts.router, inventory.router, inventory.admin,
        holds.router, orders.router, orders.admin, waitingroom.router, waitingroom.admin,
    ):  # fmt: skip
        app.include_router(router)
    return app


async def _sweep_forever(container: Container, every: float) -> None:
    """Tidy expired holds now and then; correctness never waits for this."""
    while True:
        await asyncio.sleep(every)
        try:
            freed = await container.holds.sweep()
            if freed:
                log.info("swept %d expired holds", freed)
        except Exception:  # keep sweeping; the next round retries
            log.exception("hold sweep failed")


async def _admit_forever(container: Container) -> None:
    """Admit from every open waiting room at its rate (safe if several run)."""
    while True:
        await asyncio.sleep(container.settings.admit_every_seconds)
        try:
            await container.waiting_room.admit_all()
        except Exception:  # keep admitting; the next round retries
            log.exception("waiting-room admission failed")

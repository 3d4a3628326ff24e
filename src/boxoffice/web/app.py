"""The ASGI app: routers, the error handler, and the background jobs (under a lease)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from boxoffice import __version__
from boxoffice.accounts import endpoints as accounts
from boxoffice.audit import endpoints as audit
from boxoffice.checkin import endpoints as checkin
from boxoffice.notifications import endpoints as notifications
from boxoffice.refunds import endpoints as refunds
from boxoffice.resale import endpoints as resale
from boxoffice.rules import endpoints as rules
from boxoffice.transfers import endpoints as transfers
from boxoffice.waitlist import endpoints as waitlist
from boxoffice.bootstrap import Container
from boxoffice.email import pages as mail_pages
from boxoffice.webhooks import endpoints as webhooks
from boxoffice.webhooks import pages as webhook_pages
from boxoffice.holds import endpoints as holds
from boxoffice.inventory import endpoints as inventory
from boxoffice.observability import endpoints as observability
from boxoffice.observability.metrics import multiprocess
from boxoffice.observability.middleware import Observe
from boxoffice.orders import endpoints as orders
from boxoffice.payments import endpoints as payments
from boxoffice.presale import endpoints as presale
from boxoffice.pages import aftersale as after_sale_pages
from boxoffice.vouchers import endpoints as vouchers
from boxoffice.pages import fan as fan_pages
from boxoffice.pages import organiser as organiser_pages
from boxoffice.pages import presale as presale_pages
from boxoffice.pages.base import STATIC, LoginRequired, Pages, login_required
from boxoffice.waitingroom import endpoints as waitingroom
from boxoffice.web import docs, errors, health, openapi
from boxoffice.web.fastpath import FastPaths
from boxoffice.web.security import BodyLimit, SecurityHeaders
from boxoffice.workers.jobs import jobs_of, lease_for, run_rounds

def create_app(container: Container, *, sweep_every: float | None = 30.0) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        lease = lease_for(container) if sweep_every else None
        running = [
            asyncio.create_task(run_rounds(job, lease))
            for job in (jobs_of(container, sweep_every) if sweep_every and lease else [])
        ]
        try:
            yield
        finally:
            for task in running:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if lease is not None:
                await lease.close()
            await container.close()
            if multiprocess():
                from prometheus_client import multiprocess as shared

                shared.mark_process_dead(os.getpid())  # its live gauges stop counting

    app = FastAPI(
        title="boxoffice",
        version=__version__,
        description="Sells the tickets of a mega show: fairly, fast, and never twice.",
        lifespan=lifespan,
        docs_url=None,  # web/docs.py: the same page without inline script
        redoc_url=None,
    )
    app.state.container = container
    errors.install(app)
    openapi.install(app)
    app.add_middleware(
        FastPaths, gate=container.tickets, local=container.local, metrics=container.metrics,
        direct_hold=holds.direct_holds(container), polls=container.waiting_room.polls,
        secure_cookies=container.settings.cookie_secure, direct_order=orders.direct_orders(container),
    )  # fmt: skip
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    app.add_middleware(  # it times and logs the fast path's answers too
        Observe, metrics=container.metrics, access_log=container.settings.access_log
    )
    app.add_middleware(SecurityHeaders)  # outermost: every answer gets them, errors too

    app.state.pages = Pages()
    app.add_exception_handler(LoginRequired, login_required)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    for router in (
        health.router, docs.router, accounts.router, inventory.router, inventory.admin,
        holds.router, orders.router, orders.admin, waitingroom.router, waitingroom.admin,
        audit.admin, observability.router, payments.router, presale.router, presale.admin,
        vouchers.admin, presale_pages.router,
        fan_pages.router, organiser_pages.router, *after_sale_routers(),
    ):  # fmt: skip
        app.include_router(router)
    app.include_router(mail_pages.router)  # /mail: the mail catcher's inbox (development)
    app.include_router(webhooks.admin)
    app.include_router(webhook_pages.router)
    return app


def after_sale_routers() -> list:  # type: ignore[type-arg]
    """Issue 19's API: refunds, transfers, resale, waiting list, check-in, notifications."""
    return [
        rules.router, rules.admin, refunds.router, refunds.admin, transfers.router, resale.router,
        waitlist.router, waitlist.admin, checkin.router, checkin.admin, notifications.router,
        after_sale_pages.router,
    ]  # fmt: skip

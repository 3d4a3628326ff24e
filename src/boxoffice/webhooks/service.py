"""Organisers' endpoints, and the outbox deliverers that call them.

An event (outbox kind webhook.event, written in the transaction of the
change) is fanned out by the worker into one webhook.delivery message per
active endpoint subscribed to its type, in one transaction; their dedupe
keys (event, endpoint) make a fan-out that ran twice (a crash) write once.
Each delivery is then POSTed, signed, and retried with the outbox's backoff
until the endpoint answers 2xx (410 Gone: never again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from boxoffice import outbox
from boxoffice.accounts.domain import Account
from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.ids import new_id
from boxoffice.outbox.domain import Message, Undeliverable
from boxoffice.outbox.service import Deliver
from boxoffice.storage.uow import UnitOfWorkFactory
from boxoffice.webhooks.domain import Endpoint, check_events, check_url, new_secret, signature


@dataclass(frozen=True, slots=True)
class EndpointWithDeliveries:
    endpoint: Endpoint
    deliveries: list[Message]


class WebhookService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, allow_loopback_http: bool) -> None:
        self._uow = uow
        self._clock = clock
        self._loopback = allow_loopback_http

    async def register(
        self, organiser: Account, url: str, events: list[str], description: str = ""
    ) -> Endpoint:
        endpoint = Endpoint(
            id=new_id(), url=check_url(url, allow_loopback_http=self._loopback),
            secret=new_secret(), events=check_events(events), created_at=self._clock.now(),
            created_by=organiser.id, description=description.strip()[:200],
        )  # fmt: skip
        async with self._uow(write=True) as uow:
            await uow.webhooks.add(endpoint)
            await uow.commit()
        return endpoint

    async def all(self) -> list[Endpoint]:
        async with self._uow() as uow:
            return await uow.webhooks.all()

    async def with_deliveries(self, limit: int = 50) -> list[EndpointWithDeliveries]:
        async with self._uow() as uow:
            endpoints = await uow.webhooks.all()
            return [
                EndpointWithDeliveries(e, await uow.outbox.for_recipients([e.id], outbox.WEBHOOK_DELIVERY, limit))
                for e in endpoints
            ]

    async def deliveries(self, endpoint_id: str, limit: int = 100) -> list[Message]:
        async with self._uow() as uow:
            if await uow.webhooks.get(endpoint_id) is None:
                raise NotFound("No such webhook endpoint.")
            return await uow.outbox.for_recipients([endpoint_id], outbox.WEBHOOK_DELIVERY, limit)

    async def remove(self, endpoint_id: str) -> None:
        """Stop calling the endpoint (kept, with its deliveries, for the record)."""
        async with self._uow(write=True) as uow:
            if await uow.webhooks.get(endpoint_id) is None:
                raise NotFound("No such webhook endpoint.")
            await uow.webhooks.deactivate(endpoint_id)
            await uow.commit()


class WebhookDeliverer:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, timeout: float = 10.0) -> None:
        self._uow = uow
        self._clock = clock
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def deliverers(self) -> dict[str, Deliver]:
        return {outbox.WEBHOOK_EVENT: self.fan_out, outbox.WEBHOOK_DELIVERY: self.deliver}

    async def fan_out(self, event: Message) -> None:
        event_type = str(event.payload["type"])
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            endpoints = [e for e in await uow.webhooks.active() if e.wants(event_type)]
            await uow.outbox.add([
                outbox.message(
                    kind=outbox.WEBHOOK_DELIVERY, recipient=e.id, now=now,
                    dedupe_key=f"webhook:{event.id}:{e.id}",
                    payload={"event_id": event.id, **event.payload},
                )  # fmt: skip
                for e in endpoints
            ])
            await uow.commit()

    async def deliver(self, delivery: Message) -> None:
        async with self._uow() as uow:
            endpoint = await uow.webhooks.get(delivery.recipient or "")
        if endpoint is None or not endpoint.active:
            raise Undeliverable("the endpoint was removed")
        body = json.dumps(
            {"id": delivery.payload["event_id"], "type": delivery.payload["type"],
             "created_at": delivery.payload.get("created_at"), "data": delivery.payload["data"]},
            sort_keys=True, separators=(",", ":"),
        ).encode()  # fmt: skip
        timestamp = int(self._clock.now().timestamp())
        response = await self._http().post(
            endpoint.url, content=body,
            headers={
                "Content-Type": "application/json", "User-Agent": "boxoffice-webhooks",
                "X-Boxoffice-Event": str(delivery.payload["type"]),
                "X-Boxoffice-Delivery": delivery.id,
                "X-Boxoffice-Signature": signature(endpoint.secret, timestamp, body),
            },
        )  # fmt: skip
        if response.status_code == 410:
            raise Undeliverable("HTTP 410: the endpoint is gone")
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"HTTP {response.status_code}")

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

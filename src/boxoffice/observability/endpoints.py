"""GET /metrics: the Prometheus exposition (kept out of the API schema).

It tells revenue and sales per show, so with BOXOFFICE_METRICS_TOKEN set it
answers only `Authorization: Bearer <that token>` (401 otherwise). Production
settings refuse to start without the token; development leaves it open.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from boxoffice.errors import NotAuthenticated, NotFound
from boxoffice.observability.live import live_metrics
from boxoffice.web.deps import ContainerDep

router = APIRouter(tags=["health"])


def check_scraper(request: Request, token: str) -> None:
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise NotAuthenticated("Metrics need `Authorization: Bearer <BOXOFFICE_METRICS_TOKEN>`.")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, container: ContainerDep) -> Response:
    if container.metrics is None:
        raise NotFound("Metrics are off (BOXOFFICE_METRICS_ENABLED=false).")
    token = container.settings.metrics_token
    if token is not None:
        check_scraper(request, token.get_secret_value())
    body = container.metrics.exposition(await live_metrics(container))
    return Response(body, media_type=CONTENT_TYPE_LATEST)

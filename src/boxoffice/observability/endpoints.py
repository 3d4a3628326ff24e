"""GET /metrics: the Prometheus exposition (kept out of the API schema)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from boxoffice.errors import NotFound
from boxoffice.observability.live import live_metrics
from boxoffice.web.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def metrics(container: ContainerDep) -> Response:
    if container.metrics is None:
        raise NotFound("Metrics are off (BOXOFFICE_METRICS_ENABLED=false).")
    body = container.metrics.exposition(await live_metrics(container))
    return Response(body, media_type=CONTENT_TYPE_LATEST)

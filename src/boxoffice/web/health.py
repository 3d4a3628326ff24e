"""/healthz (the process answers) and /readyz (its dependencies answer)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from boxoffice.web.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(container: ContainerDep) -> JSONResponse:
    checks: dict[str, dict[str, str]] = {}
    try:
        await container.database.ping()
        checks["database"] = {"status": "ok", "dialect": container.database.dialect}
    except Exception as exc:  # any failure means "not ready"; the detail says which
        checks["database"] = {"status": "down", "error": type(exc).__name__}
    cache = await container.cache.status()
    checks["cache"] = {"status": "ok" if cache.healthy else "degraded", "backend": cache.backend}
    if not cache.healthy:
        checks["cache"]["detail"] = cache.detail
        checks["cache"]["down_since"] = cache.down_since.isoformat() if cache.down_since else ""
    try:
        await asyncio.wait_for(container.queue_store.ping(), timeout=2)
        checks["queue_store"] = {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["queue_store"] = {
            "status": "degraded", "error": type(exc).__name__,
            "detail": "waiting rooms answer 503 until it is back; direct sales go on",
        }  # fmt: skip
    # A cache or queue-store outage makes the app slower or pauses waiting rooms,
    # but sells correctly: the app stays ready, marked degraded.
    ready = checks["database"]["status"] == "ok"
    degraded = any(c["status"] == "degraded" for c in checks.values())
    status = "unavailable" if not ready else "degraded" if degraded else "ready"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)

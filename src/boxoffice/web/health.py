"""/healthz (the process answers) and /readyz (its dependencies answer)."""

from __future__ import annotations

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
    # A cache outage makes the app slower, not wrong: it stays ready, marked degraded.
    ready = checks["database"]["status"] == "ok"
    degraded = any(c["status"] == "degraded" for c in checks.values())
    status = "unavailable" if not ready else "degraded" if degraded else "ready"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)

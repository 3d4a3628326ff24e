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
    ready = all(c["status"] == "ok" for c in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )

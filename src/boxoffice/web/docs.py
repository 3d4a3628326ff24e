"""/docs: Swagger UI without inline script, so the strict CSP holds there too.

FastAPI's own page starts Swagger UI with an inline <script>; this one loads
the same bundle from its CDN and starts it from /static/docs.js.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>boxoffice API</title>
  <link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/openapi.json"></div>
  <script src="{SWAGGER}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)

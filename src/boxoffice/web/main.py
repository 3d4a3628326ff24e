"""The ASGI entry point for servers: `uvicorn --factory boxoffice.web.main:app_factory`."""

from fastapi import FastAPI

from boxoffice.bootstrap import build_container
from boxoffice.observability.logs import configure_logging
from boxoffice.settings import Settings
from boxoffice.web.app import create_app


def app_factory() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_level, settings.effective_log_format)
    return create_app(build_container(settings), sweep_every=30.0 if settings.run_jobs else None)

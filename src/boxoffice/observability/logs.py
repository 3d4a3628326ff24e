"""Structured logs (structlog): JSON in production, readable lines in the embedded default.

Every line carries the request id and, once known, the account id (bound by
the request middleware). Standard-library loggers (uvicorn, our modules) go
through the same processors. Secrets never reach a log: any field whose name
looks like a credential is replaced by "[redacted]", at any depth.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

SENSITIVE = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|cookie|csrf|card|cvv|api[_-]?key|session",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if SENSITIVE.search(str(k)) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key != "event" and SENSITIVE.search(key):
            event[key] = REDACTED
        else:
            event[key] = _scrub(event[key])
    return event


def configure_logging(level: str, fmt: str, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library through one set of processors."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The app writes its own access lines (observability/middleware.py), with
    # route templates; uvicorn's would carry raw paths, ticket codes included.
    # At DEBUG the SQL echo is on: statements only, the engine hides their
    # parameters (storage/database.py). aiosqlite's own DEBUG lines repr every
    # call with its parameters (ticket codes, password hashes): never shown.
    if root.level <= logging.DEBUG:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root.level))
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers[:] = []
    uvicorn_access.propagate = False
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )

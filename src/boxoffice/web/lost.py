"""Which unexpected errors are a lost connection (503 busy) rather than a bug (500).

When PostgreSQL drops a connection mid-request (a restart, a failover,
`pg_terminate_backend`, PgBouncer recycling it) or Redis goes away, the
request did not fail because it was wrong: the client may simply try again
(holds and orders carry an Idempotency-Key, so a retry is safe). Such
errors come wrapped in several layers (SQLAlchemy's DBAPIError around the
driver adapter's error around asyncpg's), so the whole chain is inspected.
"""

from __future__ import annotations

import asyncpg
import redis.exceptions
from sqlalchemy import exc as sa

LOST: tuple[type[BaseException], ...] = (
    sa.InterfaceError,  # the driver says the connection is unusable
    sa.TimeoutError,  # no pooled connection came free in time
    sa.DisconnectionError,
    asyncpg.InterfaceError,  # e.g. "connection is closed"
    asyncpg.InternalClientError,  # "cannot switch to state ...; another operation is in progress"
    asyncpg.PostgresConnectionError,  # incl. ConnectionDoesNotExistError
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, pg_terminate_backend
    asyncpg.exceptions.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    redis.exceptions.RedisClusterException,  # e.g. no reachable node for a slot
    redis.exceptions.ClusterDownError,
    ConnectionError,  # the OS's: reset, refused, broken pipe
    TimeoutError,
)

# Classes the web layer routes to its handler (a superset: the chain decides).
CANDIDATES: tuple[type[BaseException], ...] = (
    sa.SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError,
    asyncpg.InternalClientError, redis.exceptions.RedisError, redis.exceptions.RedisClusterException, OSError,
)  # fmt: skip


def lost_connection(error: BaseException) -> bool:
    """True when `error`, or anything it wraps, says a connection was lost."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, LOST):
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None,
                    current.__cause__, current.__context__]  # fmt: skip
    return False

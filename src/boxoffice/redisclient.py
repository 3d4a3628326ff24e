"""One way to open Redis for every use: a single server or a Redis Cluster.

With BOXOFFICE_REDIS_CLUSTER=true, BOXOFFICE_REDIS_URL names any node of the
cluster; the client discovers the others and routes each command to the node
that owns its key's slot. What runs on it, and why each use is cluster-safe:

- caches and sessions (cache/redis.py): one key per command; the flush after
  an outage scans every primary;
- rate limits (ratelimit.py): the `limits` library's cluster storage; its
  moving-window script touches one key;
- job leases (workers/lease.py): SET NX and a script on one key;
- the waiting line (waitingroom/redis_store.py): every key of one show's
  line carries the hash tag `{show_id}`, so the whole line lives in one slot
  and every Lua script (join, freeze, advance, view) touches that slot only.

`require_full_coverage=False`: when one primary is down, the slots of the
others keep answering (the caller treats the missing ones as a Redis outage:
slower, never wrong).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

AnyRedis: TypeAlias = aioredis.Redis | RedisCluster

# What "Redis is unreachable" looks like. The cluster client's own exception
# (e.g. "Redis Cluster cannot be connected" while it looks for the slot
# owners) is not a RedisError.
REDIS_FAILURES: tuple[type[BaseException], ...] = (
    RedisError, RedisClusterException, OSError, asyncio.TimeoutError,
)  # fmt: skip


def redis_client(url: str, *, cluster: bool = False, **options: Any) -> AnyRedis:
    if cluster:
        options.pop("retry_on_timeout", None)  # the cluster client has its own retries
        return RedisCluster.from_url(_node_url(url), require_full_coverage=False, **options)
    return aioredis.Redis.from_url(url, **options)


def limits_uri(url: str, *, cluster: bool = False) -> str:
    """The `limits` library's storage URI for the same Redis."""
    if not cluster:
        return f"async+{url}"
    parts = urlsplit(url)
    auth = f"{parts.username or ''}:{parts.password}@" if parts.password else ""
    return f"async+redis+cluster://{auth}{parts.hostname}:{parts.port or 6379}"


def _node_url(url: str) -> str:
    """A cluster has database 0 only: a `/0` (or no path) is accepted, others refused."""
    parts = urlsplit(url)
    if parts.path.strip("/") not in {"", "0"}:
        raise ValueError(f"a Redis Cluster has only database 0, not {parts.path!r} ({url})")
    return parts._replace(path="").geturl()

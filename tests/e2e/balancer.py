"""HAProxy for end-to-end tests: required in CI, skipped (with a message) elsewhere."""

from __future__ import annotations

from boxoffice.topology.haproxy import SHIPPED as CONFIG
from boxoffice.topology.haproxy import HAProxy as Balancer
from tests.support import require_tool

__all__ = ["CONFIG", "Balancer", "need_haproxy"]


def need_haproxy() -> str:
    return require_tool("haproxy", "apt-get install -y haproxy")

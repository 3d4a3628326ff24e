"""`boxoffice bench fleet` runs end to end on a real Redis Cluster and a real
PgBouncer and prints a ratio per figure (no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.integration.pgbouncer_server import PgBouncer
from tests.integration.redis_cluster import RedisClusterNodes
from tests.support import POSTGRES_URL

pytestmark = pytest.mark.slow


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    request.applymarker(pytest.mark.postgres)
    return "postgres"


@pytest.fixture
def pgbouncer() -> Iterator[PgBouncer]:
    bouncer = PgBouncer(pool_size=5)
    bouncer.start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


def test_fleet_bench_prints_a_ratio_for_each_figure(
    container: object, pgbouncer: PgBouncer, redis_cluster: RedisClusterNodes
) -> None:
    server = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"  # the bench makes (and drops) its own database
    done = subprocess.run(
        [sys.executable, "-m", "boxoffice", "bench", "fleet", "--redis-url", "redis://127.0.0.1:6379/3",
         "--redis-cluster-url", redis_cluster.url, "--database-url", server,
         "--pgbouncer-url", pgbouncer.url_for(server), "--seconds", "1", "--fans", "4", "--concurrency", "4"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "BOXOFFICE_BENCH_DATABASE": f"boxoffice_bench_fleet_{os.getpid()}"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = [line for line in done.stdout.splitlines() if "ratio" in line]
    names = ["waiting line: joins", "waiting line: polls", "cache GETs", "holds", "orders"]
    assert [any(line.startswith(n) for line in figures) for n in names] == [True] * 5, done.stdout
    assert "load average" in done.stdout

"""A throwaway Redis Cluster: 3 primaries on free loopback ports (no replicas),
made with `redis-cli --cluster create`. Tests may kill and restart a node."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.e2e.server import free_port
from tests.support import IN_CI


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed (apt-get install -y redis-server redis-tools)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    return str(found)


class RedisClusterNodes:
    def __init__(self, workdir: Path, primaries: int = 3) -> None:
        self.server, self.cli = _need("redis-server"), _need("redis-cli")
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        taken: set[int] = set()
        self.ports: list[int] = []
        self.bus_ports: list[int] = []
        for target in (self.ports, self.bus_ports):
            while len(target) < primaries:
                if (port := free_port()) not in taken:
                    taken.add(port)
                    target.append(port)
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """Any one node: the client finds the others."""
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> None:
        for i in range(len(self.ports)):
            self._start_node(i)
        for port in self.ports:
            self._wait_ping(port)
        created = subprocess.run(
            [self.cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
             "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert created.returncode == 0, created.stdout + created.stderr
        self.wait_healthy()

    def _start_node(self, i: int) -> None:
        port = self.ports[i]
        self.procs[port] = subprocess.Popen(
            [self.server, "--port", str(port), "--cluster-port", str(self.bus_ports[i]),
             "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "1000",
             "--cluster-require-full-coverage", "no", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def _wait_ping(self, port: int) -> None:
        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server on {port} did not start")

    def wait_healthy(self, timeout: float = 30) -> None:
        """Every node up and every slot served (cluster_state:ok on each)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                states = [redis.Redis(port=p).cluster("info")["cluster_state"] for p in self.ports]
                if all(s == "ok" for s in states):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.1)
        raise AssertionError("the Redis Cluster did not become healthy")

    def node_for(self, key: str) -> int:
        """Which node's port serves the slot of `key`."""
        client = redis.RedisCluster(host="127.0.0.1", port=self.ports[0])
        try:
            return int(client.get_node_from_key(key).port)
        finally:
            client.close()

    def kill(self, port: int) -> None:
        """SIGKILL one primary: its slots stop answering, its data is gone."""
        self.procs[port].kill()
        self.procs[port].wait(timeout=10)

    def restart(self, port: int) -> None:
        """Start a killed primary again with its nodes.conf: it takes its slots back, empty."""
        self._start_node(self.ports.index(port))
        self._wait_ping(port)
        self.wait_healthy()

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

"""deploy/: the balancer configs, docker-compose and Kubernetes manifests are
valid (checked by HAProxy itself, the Compose specification's schema and the
Kubernetes OpenAPI schemas) and agree with each other. They cannot run here:
there is no container engine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from boxoffice.topology.render import render_haproxy
from tests.support import require_tool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _tool(name: str) -> str:
    return require_tool(name, "apt-get install -y haproxy; pip install -e '.[test]'")


def _run(*args: str) -> None:
    env = {**os.environ, "BOXOFFICE_LB_BIND": "127.0.0.1:8080", "BOXOFFICE_LB_STATS_BIND": "127.0.0.1:8404",
           "BOXOFFICE_LB_STATS_SOCKET": "/tmp/boxoffice-check.sock"}  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_config_is_rendered_from_the_base() -> None:
    base = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    compose = (DEPLOY / "haproxy" / "haproxy.compose.cfg").read_text()
    body = compose.split("\n", 2)[2]  # after the two-line "generated" header
    assert body == render_haproxy(base, ["app1:8000", "app2:8000", "app3:8000"])


@pytest.mark.parametrize("config", ["haproxy.cfg", "haproxy.compose.cfg"])
def test_haproxy_accepts_its_configs(config: str) -> None:
    _run(_tool("haproxy"), "-c", "-q", "-f", str(DEPLOY / "haproxy" / config))


def test_compose_file_follows_the_compose_spec() -> None:
    _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "docker-compose.yml"))
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "app1", "app2", "app3", "worker", "balancer", "prometheus", "grafana"} <= set(services)
    assert "/readyz" in " ".join(services["app1"]["healthcheck"]["test"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{source} is mounted but missing"


def test_kubernetes_manifests_follow_the_schemas() -> None:
    manifests = sorted(str(p) for p in (DEPLOY / "k8s").glob("*.yaml"))
    _run(_tool("kubernetes-validate"), "--strict", "--quiet", *manifests)
    docs = {d["kind"] + "/" + d["metadata"]["name"]: d for p in manifests for d in yaml.safe_load_all(Path(p).read_text())}
    app = docs["Deployment/boxoffice"]["spec"]["template"]["spec"]["containers"][0]
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"secretRef": {"name": "boxoffice-secrets"}} in app["envFrom"]
    assert docs["HorizontalPodAutoscaler/boxoffice"]["spec"]["scaleTargetRef"]["name"] == "boxoffice"
    selector = docs["Service/boxoffice"]["spec"]["selector"]
    labels = docs["Deployment/boxoffice"]["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()


def test_compose_runs_through_pgbouncer_and_has_a_redis_cluster_variant() -> None:
    base, variant = DEPLOY / "docker-compose.yml", DEPLOY / "docker-compose.redis-cluster.yml"
    _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(variant))
    services = yaml.safe_load(base.read_text())["services"]
    app_env = services["app1"]["environment"]
    assert "@pgbouncer:" in app_env["BOXOFFICE_DATABASE_URL"] and app_env["BOXOFFICE_DATABASE_PGBOUNCER"] == "true"
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    cluster = yaml.safe_load(variant.read_text())["services"]
    assert {"redis-1", "redis-2", "redis-3", "redis-cluster-create"} <= set(cluster)
    for name in ("app1", "app2", "app3", "worker"):
        assert cluster[name]["environment"]["BOXOFFICE_REDIS_CLUSTER"] == "true", name


def test_kubernetes_apps_go_through_pgbouncer() -> None:
    docs = {d["kind"] + "/" + d["metadata"]["name"]: d
            for d in yaml.safe_load_all((DEPLOY / "k8s" / "pgbouncer.yaml").read_text())}  # fmt: skip
    assert "pool_mode = transaction" in docs["ConfigMap/pgbouncer-config"]["data"]["pgbouncer.ini"]
    assert docs["Service/pgbouncer"]["spec"]["selector"].items() <= (
        docs["Deployment/pgbouncer"]["spec"]["template"]["metadata"]["labels"].items()
    )
    config = yaml.safe_load((DEPLOY / "k8s" / "configmap.yaml").read_text())["data"]
    assert config["BOXOFFICE_DATABASE_PGBOUNCER"] == "true" and "BOXOFFICE_REDIS_CLUSTER" in config

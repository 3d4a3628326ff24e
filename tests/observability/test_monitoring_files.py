"""deploy/monitoring: valid files, and every metric they name is one the app exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from boxoffice.bootstrap import Container
from boxoffice.inventory.domain import Show
from tests.support import require_tool, sign_up

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
METRIC = re.compile(r"\bboxoffice_[a-z_]+")
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")


def _exprs() -> list[str]:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exprs += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return exprs


def test_the_dashboard_is_well_formed() -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in dashboard["panels"]:
        assert p["title"] and p["targets"], p
        assert set(p["gridPos"]) == {"x", "y", "w", "h"} and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24
        assert all(t["refId"] and t["expr"] for t in p["targets"])
    names = {v["name"] for v in dashboard["templating"]["list"]}
    used = set(re.findall(r"\$\{?(\w+)", json.dumps(dashboard["panels"])))
    assert used <= names, f"panels use undefined variables {used - names}"


def test_prometheus_files_parse() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    app = next(job for job in config["scrape_configs"] if job["job_name"] == "boxoffice")
    assert app["authorization"] == {"type": "Bearer", "credentials_file": "metrics_token"}
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    alerts = [r["alert"] for g in rules["groups"] for r in g["rules"]]
    for wanted in ("HighErrorRate", "SlowPurchases", "NotReady", "RedisDown", "HoldFailures", "SaleStalled"):
        assert f"Boxoffice{wanted}" in alerts


@pytest.mark.parametrize(
    "args",
    [("check", "config", "prometheus.yml"), ("check", "rules", "alerts.yml"),
     ("test", "rules", "alerts_test.yml")],
)  # fmt: skip
def test_promtool_accepts_them(args: tuple[str, ...], tmp_path: Path) -> None:
    promtool = require_tool("promtool", "apt-get install -y prometheus")
    folder = tmp_path / "monitoring"
    shutil.copytree(MONITORING, folder)
    (folder / "metrics_token").write_text("a-token-docker-compose-mounts-here")  # a secret, never in git
    done = subprocess.run(
        [promtool, *args], cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def test_every_metric_they_name_is_exported(
    client: httpx.AsyncClient, container: Container, show: Show, backend: str
) -> None:
    if backend != "sqlite":
        return  # the names do not depend on the database
    ga = next(s for s in show.sections if s.kind.value == "ga")
    fan = await sign_up(client)
    await fan.hold(show.id, ga.id, quantity=1)
    exported: set[str] = set()
    for family in text_string_to_metric_families((await client.get("/metrics")).text):
        exported |= {family.name + suffix for suffix in SUFFIXES}
    named = {m for expr in _exprs() for m in METRIC.findall(expr)}
    assert named and named <= exported, f"not exported: {sorted(named - exported)}"

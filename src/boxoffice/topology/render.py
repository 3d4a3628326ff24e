"""The balancer's config of the local topology (the process manager's is in supervisor.py).

The shipped deploy/haproxy/haproxy.cfg is the source; only its server list
(between the `servers:begin/end` markers) and, for tests, the health-check
interval are rewritten. Addresses come in through environment variables that
HAProxy expands itself.
"""

from __future__ import annotations

import re
from pathlib import Path

BEGIN, END = "# servers:begin", "# servers:end"


def render_haproxy(template: str, addresses: list[str], *, check_every: str | None = None) -> str:
    """The config with one `server` line per app address ("host:port")."""
    if BEGIN not in template or END not in template:
        raise ValueError(f"the balancer config has no '{BEGIN}' ... '{END}' block")
    head, rest = template.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    indent = head[head.rfind("\n") + 1 :]
    servers = "\n".join(f"{indent}server app{i} {a}" for i, a in enumerate(addresses, 1))
    text = f"{head}{BEGIN}\n{servers}\n{indent}{END}{tail}"
    if check_every:
        text = re.sub(r"inter \S+ fall", f"inter {check_every} fall", text)
    return text


def local(ports: list[int]) -> list[str]:
    return [f"127.0.0.1:{port}" for port in ports]


def balancer_env(bind: str, stats_bind: str, run_dir: Path) -> dict[str, str]:
    return {
        "BOXOFFICE_LB_BIND": bind,
        "BOXOFFICE_LB_STATS_BIND": stats_bind,
        "BOXOFFICE_LB_STATS_SOCKET": str(run_dir / "haproxy.sock"),
    }

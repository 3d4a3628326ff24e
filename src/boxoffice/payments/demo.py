"""The demo's fake Pix provider: `boxoffice demo` starts it as its own process
(unless a provider is configured) and points the shop at it."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def demo_pix_provider(host: str, shop_port: int, pix_port: int) -> Iterator[str | None]:
    """Run `boxoffice pix-provider` beside the demo and set BOXOFFICE_PIX_* for
    the app; yields the provider's URL (None when one was already configured)."""
    if os.environ.get("BOXOFFICE_PIX_PROVIDER_URL"):
        yield None
        return
    url = f"http://{host}:{pix_port}"
    wiring = {
        "BOXOFFICE_PIX_PROVIDER_URL": url,
        "BOXOFFICE_PIX_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "BOXOFFICE_PIX_API_KEY": secrets.token_urlsafe(16),
        "BOXOFFICE_PIX_NOTIFY_URL": f"http://{host}:{shop_port}/api/v1/payments/pix/webhook",
    }
    os.environ.update(wiring)  # the app reads its settings from the environment
    provider = subprocess.Popen(
        [sys.executable, "-m", "boxoffice", "pix-provider", "--host", host, "--port", str(pix_port)],
        env={**os.environ, **wiring},  # secrets by environment, never on the command line
    )
    try:
        yield url
    finally:
        provider.terminate()
        try:
            provider.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.kill()

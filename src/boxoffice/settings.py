"""Settings, read once from BOXOFFICE_* variables and passed down.

Nothing here is built at import time: call Settings() in the composition root.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="postgresql+asyncpg://... ; unset = SQLite in data_dir"
    )
    redis_url: str | None = None
    redis_cluster: bool = Field(
        default=False, description="BOXOFFICE_REDIS_URL names a node of a Redis Cluster (see redisclient.py)"
    )
    cache_enabled: bool = True
    cache_ttl_seconds: float = Field(default=2.0, gt=0, le=60)
    cache_rebuild_gap_ms: int = Field(
        default=50, ge=0, le=2000,
        description="Least time between two availability rebuilds of one show in one process",
    )  # fmt: skip
    cache_seat_rebuild_gap_ms: int = Field(
        default=250, ge=0, le=5000,
        description="Least time between two rebuilds of one seat map in one process (a row per seat)",
    )  # fmt: skip
    local_cache_seconds: float = Field(
        default=1.0, ge=0, le=5,
        description="How long each process reuses a ready availability answer; 0 = off",
    )  # fmt: skip
    secret_key: SecretStr | None = None

    hold_minutes: float = Field(default=10, gt=0, le=60)
    # 12 hours is ASVS L2's re-authentication period (V3.3.2: "12 hours or 30
    # minutes of inactivity"). The idle timeout defaults to the same: a fan who
    # logs in before the rush waits in the line on cheap polls, which never
    # touch the session, and must still be logged in at the front.
    session_days: float = Field(
        default=0.5, gt=0, le=90, description="Absolute session lifetime, however active"
    )
    session_idle_minutes: float = Field(
        default=12 * 60, gt=0, le=7 * 24 * 60, description="A session unused this long ends"
    )
    max_quantity_per_hold: int = Field(default=10, ge=1, le=100)
    hold_batch_size: int = Field(
        default=64, ge=1, le=1000,
        description="General-admission holds decided per transaction (group commit); 1 = off",
    )  # fmt: skip
    order_batch_size: int = Field(
        default=32, ge=1, le=1000,
        description="Approved orders of one show settled per transaction (group commit); 1 = off",
    )  # fmt: skip
    cookie_secure: bool = True
    payment_mode: Literal["test"] = "test"
    fake_payment_latency_ms: int = Field(
        default=0, ge=0, le=10_000, description="Test mode: how long the fake provider takes to answer"
    )

    pix_provider_url: str | None = Field(
        default=None, description="The Pix provider's API (e.g. `boxoffice pix-provider`); unset = no Pix"
    )
    pix_api_key: SecretStr | None = None
    pix_webhook_secret: SecretStr | None = None
    pix_notify_url: str | None = Field(
        default=None, description="Where the provider sends webhooks: this shop's /api/v1/payments/pix/webhook"
    )
    pix_payment_minutes: float = Field(default=15, gt=0, le=24 * 60)
    pix_webhook_tolerance_seconds: float = Field(default=300, ge=1, le=3600)
    pix_reconcile_every_seconds: float = Field(default=30, gt=0, le=3600)
    pix_reconcile_after_seconds: float = Field(
        default=60, ge=0, le=3600, description="Pending this long, a payment is asked about"
    )

    login_rate: str = Field(default="10/minute", description="Logins per (email, IP)")
    login_ip_rate: str = Field(default="100/minute", description="Logins per IP, any email")
    register_rate: str = "10/minute"
    hold_rate: str = "30/minute"
    queue_rate: str = "60/minute"
    ip_rate: str = "600/minute"
    presale_code_rate: str = Field(default="10/minute", description="Presale code attempts per account")
    admit_every_seconds: float = Field(default=1.0, gt=0, le=60)
    run_jobs: bool = Field(
        default=True, description="App processes run the background jobs (false: `boxoffice worker` does)"
    )

    password_threads: int = Field(
        default=0, ge=0, le=64, description="Threads hashing passwords per process; 0 = one per core"
    )
    password_queue: int = Field(
        default=64, ge=0, le=10_000,
        description="Logins that may wait for a hashing thread; past it 503 busy + Retry-After",
    )  # fmt: skip
    smtp_url: str | None = Field(
        default=None,
        description="smtp://host:port (?starttls=true) or smtps://; unset = a local mail catcher "
        "keeping mail in data_dir/mail, readable at /mail",
    )
    mail_from: str = "boxoffice <tickets@boxoffice.localhost>"
    public_url: str = Field(default="http://127.0.0.1:8000", description="The site's address, for links in mail")
    outbox_every_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="How often the outbox worker looks for due messages"
    )
    outbox_backoff_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="First retry delay of a failed delivery (doubles each try)"
    )
    outbox_backoff_max_seconds: float = Field(default=3600.0, gt=0, le=86400)
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)

    database_pgbouncer: bool = Field(
        default=False,
        description="BOXOFFICE_DATABASE_URL is a PgBouncer in transaction mode (see storage/database.py)",
    )
    db_pool_size: int = Field(default=20, ge=1, le=200)
    lock_timeout_ms: int = Field(default=5000, ge=100, le=60000)
    auto_migrate: bool = True

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] | None = Field(
        default=None, description="unset = json in production, console otherwise"
    )
    access_log: bool = Field(
        default=True, description="One log line per state-changing or failed request"
    )
    metrics_enabled: bool = Field(default=True, description="Prometheus metrics at /metrics")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token /metrics asks for; required in production, unset = open",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, le=64 * 1_048_576,
        description="Largest request body the app reads; larger answers 413",
    )  # fmt: skip

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "BOXOFFICE_SECRET_KEY must be set to 32+ random characters in production"
                )
            token = self.metrics_token.get_secret_value() if self.metrics_token else ""
            if self.metrics_enabled and (token.lower() in PLACEHOLDER_SECRETS or len(token) < 16):
                raise ValueError(
                    "BOXOFFICE_METRICS_TOKEN must be set to 16+ random characters in production "
                    "(or BOXOFFICE_METRICS_ENABLED=false)"
                )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'boxoffice.db').resolve()}"

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.env == "production" else "console")

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def secret(self) -> bytes:
        """The signing secret. Outside production a random one is kept in data_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()

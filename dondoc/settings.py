"""Settings: one declared table, one accessor.

Every setting is a field of :class:`Settings` with a type, a default and a help
text (its ``description``). Values come from environment variables prefixed with
``DONDOC_`` (for example ``DONDOC_HOME``), or from a ``.env`` file in the working
directory. ``dondoc settings`` prints the table; the README documents it, and a
test fails when a field is missing from either.
"""

from __future__ import annotations

import os

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A DONDOC_* setting that is not valid; the message names it and says what is allowed (never its secret)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DONDOC_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path("var"),
        description="Data directory: database, outbox, reports, Prefect home. Relative paths are taken from the working directory.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the Đôn Đốc database. Empty means SQLite at <home>/dondoc.db.",
    )
    config_dir: Path | None = Field(
        default=None,
        description="Folder of YAML files that extend the built-in config (offices.yaml, holidays.yaml, deadlines.yaml). Empty means <home>/config when it exists.",
    )
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh",
        description="Time zone of every date and time the product computes or shows.",
    )
    roll_forward: bool = Field(
        default=True,
        description="Move a due date that falls on a weekend or public holiday to the next working day (the effective due date).",
    )
    due_soon_working_days: int = Field(
        default=5,
        ge=0,
        le=60,
        description="An open item whose effective due date is within this many working days is shown as 'sắp đến hạn'.",
    )
    default_plan_years: int = Field(
        default=5,
        ge=1,
        le=20,
        description="Length in years of a plan whose period the file does not state (counted from the import year).",
    )
    public_url: str = Field(
        default="http://localhost:8000",
        description="Address of the Đôn Đốc web pages, used for the links in messages (report status, acknowledge).",
    )
    smtp_url: str | None = Field(
        default=None,
        description="Mail server as smtp://user:password@host:port?security=starttls|ssl|none. Empty means emails go to <home>/outbox/.",
    )
    mail_from: str = Field(
        default="Đôn Đốc <dondoc@localhost>",
        description="Sender of the emails (From header).",
    )
    zalo_app_id: str | None = Field(
        default=None,
        description="Zalo app id of the Official Account. Empty means Zalo and ZNS messages go to <home>/outbox/.",
    )
    zalo_secret_key: SecretStr | None = Field(
        default=None,
        description="Zalo app secret key, sent only to the OAuth endpoint to refresh tokens. Never printed.",
    )
    zalo_oa_base_url: str = Field(
        default="https://openapi.zalo.me",
        description="Base URL of the Zalo OA API (messages to a user_id).",
    )
    zalo_zns_base_url: str = Field(
        default="https://business.openapi.zalo.me",
        description="Base URL of the Zalo ZNS API (template messages by phone number).",
    )
    zalo_oauth_base_url: str = Field(
        default="https://oauth.zaloapp.com",
        description="Base URL of the Zalo OAuth API (access token refresh).",
    )
    zalo_text_max: int = Field(
        default=2000,
        ge=100,
        le=2000,
        description="Longest Zalo text message in characters; longer texts are cut and end with the link.",
    )
    notify_retries: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Attempts per channel for a transient failure (server down, rate limit) before falling back.",
    )
    notify_retry_delay: float = Field(
        default=2.0,
        ge=0,
        le=600,
        description="Seconds before the first retry of a failed send; doubled at each further attempt.",
    )
    notify_timeout: float = Field(
        default=20.0,
        gt=0,
        le=300,
        description="Seconds one attempt on a mail server or the Zalo API may take in all before it counts as failed (or, once the message was handed over, as unknown).",
    )
    db_busy_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds a write waits for another writer (an import, a sweep) to finish before it is refused with \"Hệ thống đang bận\"; nothing is stored then and the sender is told.",
    )
    delivery_give_up_working_days: int = Field(
        default=1,
        ge=0,
        le=10,
        description="A message nobody could deliver is tried again (after 5, 15, 30 minutes, then hourly) until the end of this many working days after it was due (0: the same day); then it is given up and the standing office is told once.",
    )

    prefect_pool: str = Field(
        default="dondoc",
        description="Prefect work pool (type process) that runs the item flows and the other flows; `dondoc worker` serves it.",
    )
    prefect_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the local Prefect server started by `dondoc up`. 0 means the first free port from 4200.",
    )
    prefect_api_workers: int = Field(
        default=1,
        ge=1,
        le=16,
        description="API processes of the local Prefect server started by `dondoc up` (`prefect server start --workers`). More than 1 needs Prefect's database on PostgreSQL (PREFECT_API_DATABASE_CONNECTION_URL), the prefect-redis package and a Redis server (PREFECT_REDIS_MESSAGING_HOST); the first `dondoc sync` of a province is bound by these processes.",
    )
    worker_limit: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Flow runs one worker (`dondoc up`, `dondoc worker` on this machine) runs at once (each is a Python process); more wait in the queue for a free slot on any machine. 0 means twice the number of CPU cores of this machine (a run waits on the Prefect server about half of its time).",
    )
    pool_limit: int = Field(
        default=0,
        ge=0,
        le=10000,
        description="Flow runs the whole work pool runs at once, over every worker and machine (Prefect's pool concurrency limit). 0 means no pool-wide limit: each worker's own limit bounds its machine.",
    )
    sync_horizon_days: int = Field(
        default=90,
        ge=7,
        le=100,
        description="Days ahead whose checkpoints `dondoc sync` writes into each item's schedule (Prefect schedules at most 100 days ahead; the monthly re-sync rolls it on).",
    )
    sync_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Prefect API writes `dondoc sync` runs at the same time. Keep 1 against a Prefect server on SQLite (with 2 it answers 503 while its database is locked); 8 on PostgreSQL (more does not help: each upsert costs the server about 60 ms of one core).",
    )
    web_host: str = Field(
        default="127.0.0.1",
        description="Address the web pages and calendar feeds listen on when `dondoc up` or `dondoc web` serves them (0.0.0.0 for every interface).",
    )
    web_port: int = Field(
        default=8000,
        ge=0,
        le=65535,
        description="Port of the web pages and calendar feeds. 0 means `dondoc up` does not serve them.",
    )
    web_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Processes serving the web pages and calendar feeds (`dondoc web`, `dondoc up`), each answering several requests at a time. 0 means one per CPU core of this machine; 1 serves them from the command's own process.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs the web forms' anti-forgery tokens. Empty means a random key kept in <home>/secrets/web_key. Never printed.",
    )
    upload_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="Largest evidence file an office may attach to a status report, in bytes.",
    )
    feed_refresh_minutes: int = Field(
        default=60,
        ge=5,
        le=1440,
        description="How often calendar apps are asked to refresh an office's feed (REFRESH-INTERVAL and X-PUBLISHED-TTL).",
    )

    @property
    def worker_concurrency(self) -> int:
        return self.worker_limit or 2 * max(os.cpu_count() or 1, 1)

    @property
    def web_processes(self) -> int:
        return self.web_workers or max(os.cpu_count() or 1, 1)

    @property
    def home_path(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_path / 'dondoc.db'}"

    @property
    def outbox_path(self) -> Path:
        return self.home_path / "outbox"

    @property
    def evidence_path(self) -> Path:
        return self.home_path / "evidence"

    @property
    def reports_path(self) -> Path:
        return self.home_path / "reports"

    @property
    def zalo_token_path(self) -> Path:
        return self.home_path / "secrets" / "zalo_tokens.json"

    @property
    def user_config_dir(self) -> Path | None:
        if self.config_dir is not None:
            return self.config_dir.expanduser().resolve()
        candidate = self.home_path / "config"
        return candidate if candidate.is_dir() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The one accessor. Tests call ``get_settings.cache_clear()`` after changing the environment."""
    try:
        return Settings()
    except ValidationError as exc:
        from dondoc.configuration.files import explain

        lines = []
        for error in exc.errors():
            name = "DONDOC_" + "_".join(str(p) for p in error.get("loc", ())).upper()
            secret = "secret" in name.lower() or "password" in name.lower()
            shown = "" if secret or error.get("input") is None else f" «{str(error.get('input'))[:60]}»"
            lines.append(f"Thiết lập {name}{shown} không hợp lệ: {explain(error)} (invalid setting).")
        raise SettingsError("\n".join(lines)) from None


def settings_table() -> list[tuple[str, str, str, str]]:
    """(environment variable, type, default, help) for every setting."""
    rows = []
    for name, field in Settings.model_fields.items():
        annotation = getattr(field.annotation, "__name__", None) or str(field.annotation)
        default = "" if field.default is None else str(field.default)
        rows.append((f"DONDOC_{name.upper()}", annotation.replace("typing.", ""), default, field.description or ""))
    return rows

"""Settings: one declared table, one accessor.

Every setting is a field of :class:`Settings` with a type, a default and a help
text (its ``description``). Values come from environment variables prefixed with
``DONDOC_`` (for example ``DONDOC_HOME``), or from a ``.env`` file in the working
directory. ``dondoc settings`` prints the table; the README documents it, and a
test fails when a field is missing from either.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @property
    def home_path(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_path / 'dondoc.db'}"

    @property
    def user_config_dir(self) -> Path | None:
        if self.config_dir is not None:
            return self.config_dir.expanduser().resolve()
        candidate = self.home_path / "config"
        return candidate if candidate.is_dir() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The one accessor. Tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()


def settings_table() -> list[tuple[str, str, str, str]]:
    """(environment variable, type, default, help) for every setting."""
    rows = []
    for name, field in Settings.model_fields.items():
        annotation = getattr(field.annotation, "__name__", None) or str(field.annotation)
        default = "" if field.default is None else str(field.default)
        rows.append((f"DONDOC_{name.upper()}", annotation.replace("typing.", ""), default, field.description or ""))
    return rows

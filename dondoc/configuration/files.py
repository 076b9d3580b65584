"""The YAML configuration: built-in defaults in the ``config`` package, extended by a user folder.

Each file is read into a typed model. A user file extends the built-in one: lists
are appended, mappings are merged key by key (the user's value wins).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from dondoc.settings import Settings, get_settings


class ConfigError(ValueError):
    """A configuration file that cannot be read; the message names the file."""


class OfficeSpec(BaseModel):
    name: str
    short_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    in_unit_group: bool = True
    head: str | None = None
    pct_in_charge: str | None = None


class LevelSpec(BaseModel):
    offices: list[OfficeSpec] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class OfficesConfig(BaseModel):
    abbreviations: dict[str, str] = Field(default_factory=dict)
    levels: dict[str, LevelSpec] = Field(default_factory=dict)

    def level(self, name: str) -> LevelSpec:
        return self.levels.get(name) or LevelSpec()


class HolidaysConfig(BaseModel):
    days_off: list[date] = Field(default_factory=list)
    working_days: list[date] = Field(default_factory=list)


class DeadlinesConfig(BaseModel):
    by_text: dict[str, str] = Field(default_factory=dict)
    by_item: dict[str, str] = Field(default_factory=dict)


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        # Entries with the same "name" are replaced; others appended.
        names = {e.get("name"): i for i, e in enumerate(base) if isinstance(e, dict) and "name" in e}
        merged = list(base)
        for entry in extra:
            if isinstance(entry, dict) and entry.get("name") in names:
                merged[names[entry["name"]]] = entry
            elif entry not in merged:
                merged.append(entry)
        return merged
    return extra if extra is not None else base


def _read_yaml(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"Tệp cấu hình {where} không đọc được (invalid YAML): {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp cấu hình {where} phải là một bảng khóa: giá trị (must be a mapping)")
    return data


def load_raw(name: str, user_dir: Path | None) -> dict:
    data = _read_yaml(resources.files("config").joinpath(name).read_text(encoding="utf-8"), f"config/{name}")
    if user_dir is not None:
        path = user_dir / name
        if path.is_file():
            data = _merge(data, _read_yaml(path.read_text(encoding="utf-8"), str(path)))
    return data


def _load(model: type[BaseModel], name: str, user_dir: Path | None):
    data = load_raw(name, user_dir)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"Tệp cấu hình {name} sai định dạng (invalid): {exc}") from exc


class AppConfig(BaseModel):
    offices: OfficesConfig
    holidays: HolidaysConfig
    deadlines: DeadlinesConfig


@lru_cache(maxsize=8)
def _load_config(user_dir: Path | None) -> AppConfig:
    return AppConfig(
        offices=_load(OfficesConfig, "offices.yaml", user_dir),
        holidays=_load(HolidaysConfig, "holidays.yaml", user_dir),
        deadlines=_load(DeadlinesConfig, "deadlines.yaml", user_dir),
    )


def load_config(settings: Settings | None = None) -> AppConfig:
    settings = settings or get_settings()
    return _load_config(settings.user_config_dir)


def clear_config_cache() -> None:
    _load_config.cache_clear()

"""Reading the YAML configuration: the one place that parses YAML.

Each file has a built-in version in the ``config`` package; a file of the same
name in the user's config folder extends it (mappings are merged key by key,
the user's value wins; list entries with the same ``name`` are replaced, others
appended). The result is validated into its typed model; an error names the
file, the key and what is allowed, in Vietnamese.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: the same safe subset, faster


class ConfigError(ValueError):
    """A configuration file that cannot be read or is not valid; the message names the file and the key."""


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        names = {e.get("name"): i for i, e in enumerate(base) if isinstance(e, dict) and "name" in e}
        merged = list(base)
        for entry in extra:
            if isinstance(entry, dict) and entry.get("name") in names:
                merged[names[entry["name"]]] = entry
            elif entry not in merged:
                merged.append(entry)
        return merged
    return extra if extra is not None else base


def parse_yaml(text: str, where: str) -> dict:
    """A YAML mapping from ``text``; ``where`` names the file in errors."""
    try:
        data = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"Tệp cấu hình {where} không đọc được (invalid YAML): {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp cấu hình {where} phải là một bảng khóa: giá trị (must be a mapping)")
    return data


def read_merged(name: str, user_dir: Path | None, *, builtin: bool = True) -> tuple[dict, str]:
    """The built-in ``config/<name>`` extended by ``<user_dir>/<name>``; and where it came from."""
    data: dict = {}
    where = f"config/{name}"
    if builtin:
        data = parse_yaml(resources.files("config").joinpath(name).read_text(encoding="utf-8"), where)
    if user_dir is not None:
        path = user_dir / name
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"Tệp cấu hình {path} không đọc được ({type(exc).__name__}).") from exc
            data = _merge(data, parse_yaml(text, str(path)))
            where = str(path)
    return data, where


def validation_message(exc: ValidationError, where: str) -> str:
    """One line per problem: the key (as a dotted path), the value found and what is allowed."""
    lines = [f"Tệp cấu hình {where} sai định dạng (invalid):"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error.get("loc", ())) or "(gốc)"
        found = error.get("input")
        shown = "" if isinstance(found, (dict, list)) or found is None else f" «{str(found)[:60]}»"
        lines.append(f"  - {key}{shown}: {explain(error)}")
    return "\n".join(lines)


def explain(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "khóa không được hỗ trợ (unknown key)"
    if kind == "missing":
        return "thiếu giá trị bắt buộc (required)"
    bounds = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("≤", "le"),
              "less_than": ("<", "lt")}
    if kind in bounds:
        sign, key = bounds[kind]
        return f"phải {sign} {ctx.get(key)}"
    if kind.startswith("time"):
        return "phải là giờ dạng HH:MM (time)"
    if kind.startswith("date"):
        return "phải là ngày dạng YYYY-MM-DD (date)"
    if kind.startswith("int"):
        return "phải là số nguyên (integer)"
    if kind.startswith("bool"):
        return "phải là true hoặc false (boolean)"
    if kind == "literal_error":
        return f"phải là một trong: {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return str(error.get("msg", kind))


def load_model(model: type[M], name: str, user_dir: Path | None, *, builtin: bool = True) -> M:
    """Read, merge and validate one configuration file into ``model``."""
    data, where = read_merged(name, user_dir, builtin=builtin)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(exc, where)) from None

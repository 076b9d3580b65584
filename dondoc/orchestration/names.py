"""What Prefect shows of Đôn Đốc's deployments: item deployment names people read and that sort in appendix
order, and the parameter schemas the deployments publish."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from dondoc.domain.labels import short_unit_name

NAME_TEXT = 40  # characters of the item's text in its deployment name
_BANNED = {"/": "-", "%": " phần trăm", "&": " và ", "<": "‹", ">": "›"}  # Prefect refuses / % & < > in names


def _padded(number: str) -> str:
    """"7" -> "007", "12a" -> "012a": names sort in appendix order."""
    m = re.match(r"(\d+)(.*)$", number.strip())
    return f"{int(m.group(1)):03d}{m.group(2)}" if m else number.strip()


def allowed(text: str) -> str:
    """``text`` as Prefect accepts it in a name, on one line."""
    for bad, good in _BANNED.items():
        text = text.replace(bad, good)
    return " ".join(text.split())


def deployment_name(unit_name: str, number: str, content: str, *, limit: int = NAME_TEXT) -> str:
    """What the Prefect UI lists for an item: its commune, its zero-padded number, the start of its text.

    >>> deployment_name("Xã Ngọc Liên", "37", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND xã ban hành")
    'Ngọc Liên · Mục 037 · Rà soát, hệ thống hóa văn bản quy phạm…'
    >>> deployment_name("Xã Trường Xuân", "2", "Tỷ lệ 100% hồ sơ trực tuyến/toàn trình")
    'Trường Xuân · Mục 002 · Tỷ lệ 100 phần trăm hồ sơ trực…'
    """
    text = allowed(content)
    if len(text) > limit:
        cut = text[: limit - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip(" ,;:.-–") + "…"
    return allowed(f"{short_unit_name(unit_name)} · Mục {_padded(number)} · {text}")


# Prefect checks a "date" format, not always a "date-time" one: a pattern makes both refuse "ngày mai".
_PATTERNS = {"date": r"^\d{4}-\d{2}-\d{2}$", "date-time": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"}


def _with_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _with_patterns(value) for key, value in node.items()}
        if node.get("type") == "string" and node.get("format") in _PATTERNS:
            node.setdefault("pattern", _PATTERNS[node["format"]])
        return node
    if isinstance(node, list):
        return [_with_patterns(value) for value in node]
    return node


@cache
def flow_parameter_schema(entrypoint: str) -> dict[str, Any]:
    """The OpenAPI schema of a flow's parameters (``flows/item.py:item_flow``), as Prefect publishes it, with
    a pattern on its dates and times so that a run with a wrong date is refused when it is created."""
    import importlib

    from prefect.utilities.callables import parameter_schema

    path, name = entrypoint.split(":")
    flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)
    return _with_patterns(parameter_schema(flow).model_dump_for_openapi())

"""The shape of the code, read from its imports: layers import downward only, no circles, one clock,
one YAML reader, no SQL in the shells (command line, web pages, Prefect tasks and flows), small modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("calendars", "config", "dondoc", "notifications", "tasks", "flows")
# Lowest first. A module may import its own layer (without a circle) and the layers below it.
LAYERS: list[tuple[str, ...]] = [
    ("calendars", "config", "dondoc", "dondoc.text", "dondoc.clock"),  # pure helpers, the YAML data
    ("dondoc.settings", "dondoc.configuration"),  # settings and typed configuration
    ("dondoc.domain", "dondoc.importer"),  # rules and parsers, no database
    ("dondoc.storage",),  # tables, migrations, shared queries
    ("notifications",),  # channels, messages, the delivery log
    ("dondoc.usecases", "dondoc.reports"),  # what people and schedules ask for
    ("dondoc.app",),  # the application object
    ("dondoc.orchestration", "tasks", "flows"),  # Prefect
    ("dondoc.cli", "dondoc.web"),  # the shells people use
]
SHELLS = ("dondoc.cli", "dondoc.web", "tasks", "flows")
SQL_IMPORTS = ("sqlalchemy", "dondoc.storage.models", "dondoc.storage.db", "dondoc.storage.delivery_log")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> dict[str, set[str]]:
    """Every module this one imports (at the top or inside a function), project modules and others."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    project = {owner for name in names if (owner := _owner(name)) and owner != module}
    return {"project": project, "all": names}


IMPORTS = {module: _imports(module) for module in MODULES}


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{module} belongs to no layer"
    return found


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_run_downward_only():
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, found in IMPORTS.items() for target in sorted(found["project"])
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_no_import_circles():
    graph = {module: found["project"] for module, found in IMPORTS.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert circles == []


def _source(module: str) -> str:
    return MODULES[module].read_text(encoding="utf-8")


def test_the_clock_is_read_in_one_place():
    clock = re.compile(r"\b(?:datetime\.now|date\.today|datetime\.today|datetime\.utcnow)\(")
    readers = sorted(module for module in MODULES if clock.search(_source(module)))
    assert readers == ["dondoc.clock"]


def test_yaml_is_parsed_in_one_module():
    parsers = sorted(module for module in MODULES if re.search(r"\byaml\.(?:safe_)?load\(", _source(module)))
    assert parsers == ["dondoc.configuration.files"]


@pytest.mark.parametrize("shell", SHELLS)
def test_shells_hold_no_sql(shell):
    modules = [m for m in MODULES if m == shell or m.startswith(shell + ".")]
    assert modules
    for module in modules:
        imported = IMPORTS[module]["all"]
        assert not [n for n in imported if n.split(".")[0] == "sqlalchemy" or n.startswith(SQL_IMPORTS[1:])], module
        assert not re.search(r"(?<![.\w])(?<!def )(?:select|insert|update|delete)\(|\.execute\(|\bsession\.", _source(module)), module


def test_modules_stay_small():
    large = {module: lines for module, path in MODULES.items()
             if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert large == {}


def test_a_plan_row_is_an_item_not_a_task():
    """Prefect tasks are tasks; a plan's rows are items (``nhiệm vụ`` in Vietnamese text is fine)."""
    offenders = [module for module in MODULES if module.split(".")[0] != "tasks"
                 and re.search(r"\bplan task|\btask_id\b|\bTaskRow\b", _source(module))]
    assert offenders == []

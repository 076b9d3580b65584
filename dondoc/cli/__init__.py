"""The ``dondoc`` command: a thin shell over the application object.

Commands parse options, call a use case of :class:`dondoc.app.Dondoc`, print in
Vietnamese, and turn the core's errors into a clear line and an exit code
(2 for bad input, 1 for other failures). Each module registers its commands on
the one Typer app of :mod:`dondoc.cli.base`.
"""

from __future__ import annotations

from dondoc.cli import calendar, chasing, delivery, orchestration, pages, plans, status, units, up, updates  # noqa: F401
from dondoc.cli.base import app


def main() -> None:  # pragma: no cover - console entry point
    app()


__all__ = ["app", "main"]

"""What every ``dondoc`` command shares: the Typer app, the consoles, the application, and how
the core's errors become a Vietnamese line and an exit code (2 for bad input, 1 for other failures).
"""

from __future__ import annotations

import functools
from datetime import date

import typer
from rich.console import Console

from dondoc.app import Dondoc, process_app
from dondoc.configuration import ConfigError
from dondoc.domain.periods import PeriodError
from dondoc.domain.rules import InvalidUpdate
from dondoc.importer import ImportFormatError
from dondoc.settings import Settings, SettingsError, get_settings
from dondoc.storage.refusals import database_problem
from dondoc.storage.lookups import LookupFailed
from dondoc.text import read_date
from dondoc.usecases.importing import UnknownOffices
from dondoc.usecases.plans import WrongUnit

class _Commands(typer.Typer):
    """The Typer app, with the database's refusals (busy, unreachable) as one Vietnamese line and exit 1."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            problem = database_problem(exc)
            if problem is None:
                raise
            err.print(f"[bold red]Lỗi:[/] {problem}", highlight=False, markup=True)
            raise SystemExit(1) from None


app = _Commands(
    help="Đôn Đốc: theo dõi, nhắc việc và báo cáo thực hiện kế hoạch (plan tracking, reminders, reports).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

BAD_INPUT = 2
INPUT_ERRORS = (ImportFormatError, UnknownOffices, LookupFailed, InvalidUpdate, ConfigError, PeriodError, WrongUnit)


def fail(message: str, code: int = BAD_INPUT):
    err.print(f"[bold red]Lỗi:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        fail(str(exc))


def dondoc(*, migrate: bool = True) -> Dondoc:
    """The application of this command: built once per process, and the database migrated when the command
    uses it (a version check when it is current)."""
    try:
        return process_app(settings(), migrate=migrate)
    except ConfigError as exc:
        fail(str(exc))


def today() -> date:
    return dondoc().today()


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    day = read_date(value)
    if day is None:
        fail(f"{option}: «{value}» không phải ngày hợp lệ, dùng YYYY-MM-DD hoặc DD/MM/YYYY (invalid date).")
    return day


def parse_years(text: str, option: str = "--period") -> tuple[int, int]:
    """"2026-2030" (or one year) as (first, last)."""
    parts = [p.strip() for p in text.replace("–", "-").split("-") if p.strip()]
    years = [int(p) for p in parts] if all(p.isascii() and p.isdigit() for p in parts) else []
    if len(years) == 1:
        years = years * 2
    if len(years) != 2 or not (1990 <= years[0] <= years[1] <= 2100):
        fail(f"{option}: «{text}» không hợp lệ, ví dụ 2026-2030 (invalid period).")
    return years[0], years[1]


def guarded(fn):
    """Turn the core's input errors into exit code 2 with their message."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except INPUT_ERRORS as exc:
            fail(str(exc))

    return wrapper


def resync(item: str | int, plan: str | None = None, unit: str | None = None) -> None:
    """After a change to an item: refresh its Prefect schedule when a server runs, and say so."""
    from dondoc.orchestration.resync import FAILED, SYNCED, resync_items

    application = dondoc()
    outcome = resync_items(application, [application.item_id(item, plan, unit)])
    if outcome == SYNCED:
        console.print("Đã cập nhật lịch nhắc việc của mục trên Prefect.")
    elif outcome == FAILED:
        console.print("[yellow]Chưa cập nhật được lịch trên Prefect[/]; «dondoc sync» sẽ làm lại.")

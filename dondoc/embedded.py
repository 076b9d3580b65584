"""``dondoc up``: everything on one machine, on the embedded default (SQLite in the data directory)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from dondoc.configuration import load_config
from dondoc.db import get_engine, migrate, read_session
from dondoc.importer import parse_plan_file
from dondoc.models import Plan
from dondoc.plans import import_plan
from dondoc.render import print_import_report, print_status, safe_url
from dondoc.settings import get_settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_UNITS = {
    "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt": "Xã Ngọc Liên",
    "ke-hoach-cchc-xa-truong-xuan-2026-2030.txt": "Xã Trường Xuân",
}


def run_up(console: Console, import_examples: bool = True) -> None:
    from dondoc.cli import today
    from dondoc.schedule import work_calendar
    from dondoc.statusrun import run_status

    settings, config = get_settings(), load_config()
    settings.home_path.mkdir(parents=True, exist_ok=True)
    engine = get_engine()
    migrate(engine)
    console.print(f"Thư mục dữ liệu: {settings.home_path}")
    console.print(f"Cơ sở dữ liệu: {safe_url(settings.resolved_database_url)}")
    with read_session(engine) as session:
        plans = session.scalar(select(func.count(Plan.id)))
    if not plans and import_examples:
        for name, unit in EXAMPLE_UNITS.items():
            path = EXAMPLES / name
            if path.is_file():
                report = import_plan(
                    engine, parse_plan_file(path), unit_name=unit, config=config, settings=settings,
                    source_bytes=path.read_bytes(),
                )
                print_import_report(console, report)
    report = run_status(
        engine, today(), work_calendar(config, settings), due_soon_working_days=settings.due_soon_working_days
    )
    print_status(console, report)

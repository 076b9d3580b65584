"""Compile one unit's report for one period and write its three files.

Shared by ``dondoc report``, the report delivery flow and the province run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from calendars.workdays import WorkCalendar
from dondoc.models import Unit
from dondoc.plans import slugify
from dondoc.reports.content import ReportContent, compile_report
from dondoc.reports.docx_report import write_docx
from dondoc.reports.markdown import render_markdown
from dondoc.reports.periods import ReportPeriod
from dondoc.reports.xlsx_annex import write_xlsx


@dataclass
class ReportFiles:
    content: ReportContent
    docx: Path
    xlsx: Path
    markdown: Path
    markdown_text: str

    @property
    def paths(self) -> list[Path]:
        return [self.docx, self.xlsx, self.markdown]


def place_of(unit: Unit) -> str:
    """The place name of the date line: "Xã Ngọc Liên" -> "Ngọc Liên"."""
    return unit.name.split(" ", 1)[1] if " " in unit.name else unit.name


def file_stem(unit: Unit, period: ReportPeriod) -> str:
    return f"bao-cao-cchc-{slugify(unit.name)}-{period.key.lower()}"


def build_report(
    engine: Engine,
    unit: Unit,
    period: ReportPeriod,
    output: Path,
    *,
    calendar: WorkCalendar,
    due_soon_working_days: int,
    signed_on: date,
    number: str = "…/BC-UBND",
) -> ReportFiles:
    content = compile_report(engine, period, unit_ids=[unit.id], calendar=calendar,
                             due_soon_working_days=due_soon_working_days)
    output.mkdir(parents=True, exist_ok=True)
    base = output / file_stem(unit, period)
    docx_path = write_docx(content, base.with_suffix(".docx"), issuer=f"UỶ BAN NHÂN DÂN {unit.name.upper()}",
                           place=place_of(unit), signed_on=signed_on, number=number)
    xlsx_path = write_xlsx(content, base.with_name(base.name + "-phu-luc.xlsx"))
    markdown = render_markdown(content, unit=unit.name)
    md_path = base.with_suffix(".md")
    md_path.write_text(markdown, encoding="utf-8")
    return ReportFiles(content, docx_path, xlsx_path, md_path, markdown)

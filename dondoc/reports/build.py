"""Compile one unit's report for one period and write its three files.

Shared by ``dondoc report``, the report delivery flow and the province run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


from dondoc.reports.content import ReportContent, compile_report
from dondoc.reports.docx_report import issuer_lines
from dondoc.reports.unit_docx import write_docx
from dondoc.reports.markdown import render_markdown
from dondoc.domain.periods import ReportPeriod
from dondoc.reports.province import ProvinceReport, compile_province, is_aggregate
from dondoc.reports.province_docx import write_province_docx
from dondoc.reports.xlsx_annex import write_xlsx
from dondoc.storage.models import Unit
from dondoc.text import slugify
from dondoc.usecases.context import Context


@dataclass
class ReportFiles:
    content: ReportContent
    docx: Path
    xlsx: Path
    markdown: Path
    markdown_text: str
    province: ProvinceReport | None = None  # set for a province (aggregate) report
    unit_name: str = ""

    @property
    def paths(self) -> list[Path]:
        return [self.docx, self.xlsx, self.markdown]


def place_of(unit: Unit) -> str:
    """The place name of the date line: "Xã Ngọc Liên" -> "Ngọc Liên"."""
    return unit.name.split(" ", 1)[1] if " " in unit.name else unit.name


def file_stem(unit: Unit, period: ReportPeriod) -> str:
    return f"bao-cao-cchc-{slugify(unit.name)}-{period.key.lower()}"


def build_report(
    ctx: Context,
    unit: Unit,
    period: ReportPeriod,
    output: Path,
    *,
    signed_on: date,
    number: str = "…/BC-UBND",
    aggregate: bool | None = None,
    chart: bool = True,
) -> ReportFiles:
    """The unit's report files in ``output``.

    ``aggregate``: compile over every unit below ``unit`` (the province report); by
    default when ``unit`` is a province or has units below it.
    """
    if aggregate is None:
        aggregate = is_aggregate(ctx.engine, unit)
    output.mkdir(parents=True, exist_ok=True)
    base = output / file_stem(unit, period)
    issuer = issuer_lines(unit.name)
    signer = ctx.reporting.signer(unit.name)
    signature = dict(signer_name=signer.name, signer_title=signer.title, signer_on_behalf=signer.on_behalf)
    province = None
    if aggregate:
        province = compile_province(ctx, unit, period)
        content = province.content
        docx_path = write_province_docx(province, base.with_suffix(".docx"), issuer=issuer, place=place_of(unit),
                                        signed_on=signed_on, number=number, chart=chart, **signature)
    else:
        content = compile_report(ctx, period, unit_ids=[unit.id])
        docx_path = write_docx(content, base.with_suffix(".docx"), unit=unit.name, place=place_of(unit),
                               signed_on=signed_on, number=number, chart=chart, **signature)
    units = province.units if province else None
    xlsx_path = write_xlsx(content, base.with_name(base.name + "-phu-luc.xlsx"), units=units, number=number,
                           signed_on=signed_on)
    markdown = render_markdown(content, unit=unit.name, units=units)
    md_path = base.with_suffix(".md")
    md_path.write_text(markdown, encoding="utf-8")
    return ReportFiles(content, docx_path, xlsx_path, md_path, markdown, province, unit.name)

"""Compile one unit's report for one period and write its three files.

Shared by ``dondoc report``, the report delivery flow and the province run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from dondoc.reports.content import ReportContent, compile_report
from dondoc.reports.docx_report import ON_BEHALF, issuer_lines
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


def place_of(unit: Unit | str) -> str:
    """The place name of the date line: "Xã Ngọc Liên" -> "Ngọc Liên", "Tỉnh Thanh Hóa" -> "Thanh Hóa"."""
    name = unit if isinstance(unit, str) else unit.name
    return name.split(" ", 1)[1] if " " in name else name


def governing_body(ctx: Context, unit: Unit) -> str | None:
    """The province a department (sở, ban) belongs to: its header line and its place; None for other units."""
    if unit.level != "department" or unit.parent_id is None:
        return None
    with ctx.engine.connect() as conn:
        return conn.execute(select(Unit.name).where(Unit.id == unit.parent_id)).scalar()


def signature(ctx: Context, unit: Unit) -> dict:
    """The signature block from reporting.yaml (signers), the unset lines by the unit's kind: a
    commune or a province signs "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH", a department's "GIÁM ĐỐC" in person."""
    signer = ctx.reporting.signer(unit.name)
    department = unit.level == "department"
    return dict(signer_name=signer.name, signer_title=signer.title or ("GIÁM ĐỐC" if department else "CHỦ TỊCH"),
                signer_on_behalf=signer.on_behalf or (None if department else ON_BEHALF))


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
    governing = governing_body(ctx, unit)
    issuer = issuer_lines(unit.name, governing)
    place = place_of(governing or unit)
    signed = signature(ctx, unit)
    province = None
    if aggregate:
        province = compile_province(ctx, unit, period)
        content = province.content
        docx_path = write_province_docx(province, base.with_suffix(".docx"), issuer=issuer, place=place,
                                        signed_on=signed_on, number=number, chart=chart, **signed)
    else:
        content = compile_report(ctx, period, unit_ids=[unit.id])
        docx_path = write_docx(content, base.with_suffix(".docx"), unit=unit.name, level=unit.level, issuer=issuer,
                               place=place, signed_on=signed_on, number=number, chart=chart, **signed)
    units = province.units if province else None
    xlsx_path = write_xlsx(content, base.with_name(base.name + "-phu-luc.xlsx"), units=units, number=number,
                           signed_on=signed_on)
    markdown = render_markdown(content, unit=unit.name, units=units)
    md_path = base.with_suffix(".md")
    md_path.write_text(markdown, encoding="utf-8")
    return ReportFiles(content, docx_path, xlsx_path, md_path, markdown, province, unit.name)

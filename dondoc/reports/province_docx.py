"""The province report as an official Word document, in the layout of the unit report.

Same header, title, closing blocks and page numbering (docx_report); the sections
add the summary per unit (a table with the province total and the chart Hình 1)
and a table per unit. Long lists (items done, continuous, awaiting) are counted
here and listed in the .xlsx annex, one row per item with its unit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dondoc.reports.chart import chart_data, render_chart
from dondoc.reports.content import format_rate
from dondoc.reports.docx_report import (
    CHART_LIMIT, ON_BEHALF, _d, closing_sentence, _table, body, chart_caption, default_subject, extensions_block, finish, heading,
    new_document, overdue_table, overview, period_line, picture, status_header, status_order, totals_table,
)
from dondoc.reports.province import ProvinceReport
from dondoc.domain.status import Shown

PROVINCE_SECTIONS = (
    "I. Tổng quan",
    "II. Tổng hợp theo đơn vị",
    "III. Theo lĩnh vực",
    "IV. Theo cơ quan chủ trì",
    "V. Chi tiết từng đơn vị",
    "VI. Nhiệm vụ quá hạn",
    "VII. Kết quả khác trong kỳ",
)
PROVINCE_RECIPIENTS = (
    "Bộ Nội vụ (để báo cáo);",
    "TT Tỉnh ủy, TT HĐND tỉnh (để báo cáo);",
    "Chủ tịch, các PCT UBND tỉnh;",
    "Sở Nội vụ;",
    "UBND các xã, phường;",
    "Lưu: VT, NC.",
)
TOTAL_LABEL = "Tổng cộng"
def summary_widths(order) -> list[float]:
    """STT, unit, then "Tổng số", the statuses and the rate sharing the rest of the 165 mm text width."""
    return [10, 29, *([126 / (2 + len(order))] * (2 + len(order)))]


def unit_summary_rows(report: ProvinceReport, order) -> list[list]:
    """The rows of the summary table: one per unit, then the sum (the province totals)."""
    rows = [[i, u.name, u.total, *(u.totals[s.value] for s in order), format_rate(u.on_time_rate)]
            for i, u in enumerate(report.units, 1)]
    c = report.content
    rows.append(["", TOTAL_LABEL, c.total, *(c.totals[s.value] for s in order), format_rate(c.on_time_rate)])
    return rows


def unit_line(u) -> str:
    t = u.totals
    return (f"Tổng số nhiệm vụ: {u.total}; đã hoàn thành {u.done_count} (đúng hạn {t[Shown.DONE_ON_TIME.value]}, "
            f"trễ hạn {t[Shown.DONE_LATE.value]}); quá hạn {t[Shown.OVERDUE.value]}; "
            f"tỷ lệ hoàn thành đúng hạn: {format_rate(u.on_time_rate)}.")


def write_province_docx(
    report: ProvinceReport,
    path: str | Path,
    *,
    issuer: str,
    place: str,
    signed_on: date,
    number: str = "…/BC-UBND",
    signer_title: str = "CHỦ TỊCH",
    signer_on_behalf: str = ON_BEHALF,
    signer_name: str | None = None,
    recipients: list[str] | tuple[str, ...] = PROVINCE_RECIPIENTS,
    subject: str | None = None,
    chart: bool = True,
) -> Path:
    content = report.content
    doc = new_document(issuer=issuer, place=place, signed_on=signed_on, number=number,
                       subject=subject or default_subject(content), period_line=period_line(content))

    heading(doc, PROVINCE_SECTIONS[0])
    reporting = sum(1 for u in report.units if u.total)
    body(doc, f"Báo cáo tổng hợp {len(report.units)} đơn vị ({reporting} đơn vị có nhiệm vụ được theo dõi trong kỳ).")
    overview(doc, content)

    heading(doc, PROVINCE_SECTIONS[1])
    order = status_order(report.content.totals)
    _table(doc, ["STT", "Đơn vị", *status_header(order), "Tỷ lệ đúng hạn"], unit_summary_rows(report, order), size=9,
           widths_mm=summary_widths(order))
    if chart and report.units:
        data = chart_data(report.unit_totals, limit=CHART_LIMIT)
        picture(doc, render_chart(data), chart_caption(1, "theo đơn vị", content, data, noun="đơn vị"))

    heading(doc, PROVINCE_SECTIONS[2])
    totals_table(doc, "Lĩnh vực", content.by_area)

    heading(doc, PROVINCE_SECTIONS[3])
    totals_table(doc, "Cơ quan chủ trì", content.by_office)

    heading(doc, PROVINCE_SECTIONS[4])
    for i, u in enumerate(report.units, 1):
        heading(doc, f"{i}. {u.name}")
        if not u.total:
            body(doc, "Chưa có nhiệm vụ được theo dõi trong kỳ.")
            continue
        body(doc, unit_line(u), keep_with_next=True)
        totals_table(doc, "Cơ quan chủ trì", u.by_office)

    heading(doc, PROVINCE_SECTIONS[5])
    if content.overdue:
        overdue_table(doc, content, content.overdue, with_unit=True)
    else:
        body(doc, "Không có nhiệm vụ quá hạn.")

    heading(doc, PROVINCE_SECTIONS[6])
    t = content.totals
    body(doc, f"Nhiệm vụ đã hoàn thành: {content.done_count} (đúng hạn {t[Shown.DONE_ON_TIME.value]}, "
              f"trễ hạn {t[Shown.DONE_LATE.value]}); danh sách và sản phẩm tại phụ lục kèm theo.")
    body(doc, f"Nhiệm vụ thường xuyên: {len(content.continuous)}; nhiệm vụ chờ sự kiện: {len(content.awaiting)} "
              f"(tiến độ gần nhất của từng nhiệm vụ tại phụ lục kèm theo).")
    extensions_block(doc, content, with_unit=True)
    if content.previous is not None:
        body(doc, f"So với kỳ báo cáo {content.previous.title} (chốt số liệu ngày {_d(content.previous.cutoff)}): "
                  f"{len(content.changes)} nhiệm vụ thay đổi trạng thái.")

    return finish(doc, Path(path), recipients=recipients, signer_title=signer_title,
                  signer_on_behalf=signer_on_behalf, signer_name=signer_name,
                  closing=closing_sentence(content, report.unit))

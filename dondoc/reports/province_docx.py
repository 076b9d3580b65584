"""The province report as an official Word document, in the layout of the unit report.

Same header, title, sections I–IV, closing sentence, closing blocks and page numbering
(docx_report); section I adds the summary per unit (a table with the province total and
the chart Hình 1) and a table per unit. Long lists (items done, continuous, awaiting,
due next period) are counted here, per unit, and listed in the .xlsx annex, one row
per item with its unit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dondoc.reports.chart import chart_data, render_chart
from dondoc.reports.content import format_rate
from dondoc.reports.docx_report import (
    CHART_LIMIT, LIST_LIMIT, ON_BEHALF, SECTIONS, _d, _table, body, bullets, chart_caption, closing_sentence,
    default_subject, extensions_block, finish, heading, new_document, organ_phrase, overdue_table, overview_sentence,
    overview_table, period_line, picture, status_header, status_order, subheading, totals_table,
)
from dondoc.reports.province import ProvinceReport
from dondoc.domain.status import Shown

PROVINCE_SECTIONS = SECTIONS
PROVINCE_PARTS = (  # the numbered parts of section I
    "1. Tổng hợp theo trạng thái",
    "2. Tổng hợp theo đơn vị",
    "3. Theo lĩnh vực",
    "4. Theo cơ quan chủ trì",
    "5. Chi tiết từng đơn vị",
    "6. Kết quả khác trong kỳ",
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
    reporting = sum(1 for u in report.units if u.total)
    body(doc, f"Trên cơ sở báo cáo của {len(report.units)} đơn vị ({reporting} đơn vị có nhiệm vụ được theo dõi "
              f"trong kỳ), {organ_phrase(report.unit)} tổng hợp kết quả thực hiện kế hoạch cải cách hành chính "
              f"{content.period.title} như sau:")

    # I. Kết quả đạt được
    heading(doc, SECTIONS[0])
    t = content.totals
    body(doc, overview_sentence(content))
    best = sorted((u for u in report.units if u.done_count), key=lambda u: (-(u.on_time_rate or 0), -u.done_count))
    if best:
        body(doc, "Các đơn vị hoàn thành nhiều nhiệm vụ đúng hạn:", keep_with_next=True)
        bullets(doc, [f"{u.name}: hoàn thành {u.done_count} nhiệm vụ (đúng hạn {u.totals[Shown.DONE_ON_TIME.value]}), "
                      f"tỷ lệ đúng hạn {format_rate(u.on_time_rate)}." for u in best[:LIST_LIMIT]])
    subheading(doc, PROVINCE_PARTS[0])
    overview_table(doc, content)
    subheading(doc, PROVINCE_PARTS[1])
    order = status_order(report.content.totals)
    _table(doc, ["STT", "Đơn vị", *status_header(order), "Tỷ lệ đúng hạn"], unit_summary_rows(report, order), size=9,
           widths_mm=summary_widths(order))
    if chart and report.units:
        data = chart_data(report.unit_totals, limit=CHART_LIMIT)
        picture(doc, render_chart(data), chart_caption(1, "theo đơn vị", content, data, noun="đơn vị"))
    subheading(doc, PROVINCE_PARTS[2])
    totals_table(doc, "Lĩnh vực", content.by_area)
    subheading(doc, PROVINCE_PARTS[3])
    totals_table(doc, "Cơ quan chủ trì", content.by_office)
    subheading(doc, PROVINCE_PARTS[4])
    for i, u in enumerate(report.units, 1):
        subheading(doc, f"5.{i}. {u.name}")
        if not u.total:
            body(doc, "Chưa có nhiệm vụ được theo dõi trong kỳ.")
            continue
        body(doc, unit_line(u), keep_with_next=True)
        totals_table(doc, "Cơ quan chủ trì", u.by_office)
    subheading(doc, PROVINCE_PARTS[5])
    body(doc, f"Nhiệm vụ đã hoàn thành: {content.done_count} (đúng hạn {t[Shown.DONE_ON_TIME.value]}, "
              f"trễ hạn {t[Shown.DONE_LATE.value]}); danh sách và sản phẩm tại phụ lục kèm theo.")
    body(doc, f"Nhiệm vụ thường xuyên: {len(content.continuous)} (tiến độ gần nhất của từng nhiệm vụ tại phụ lục "
              f"kèm theo).")
    if content.previous is not None:
        body(doc, f"So với kỳ báo cáo {content.previous.title} (chốt số liệu ngày {_d(content.previous.cutoff)}): "
                  f"{len(content.changes)} nhiệm vụ thay đổi trạng thái.")

    # II. Tồn tại, hạn chế và nguyên nhân
    heading(doc, SECTIONS[1])
    if content.overdue:
        late = [u for u in report.units if u.totals[Shown.OVERDUE.value]]
        late.sort(key=lambda u: -u.totals[Shown.OVERDUE.value])
        body(doc, f"Còn {len(content.overdue)} nhiệm vụ quá hạn tại {len(late)} đơn vị:", keep_with_next=True)
        bullets(doc, [f"{u.name}: {u.totals[Shown.OVERDUE.value]} nhiệm vụ quá hạn." for u in late])
        silent = sum(1 for r in content.overdue if not r.last_note)
        if silent:
            body(doc, f"Có {silent} nhiệm vụ quá hạn chưa được báo cáo nguyên nhân; nguyên nhân đã báo cáo "
                      f"của từng nhiệm vụ tại bảng dưới đây.")
        overdue_table(doc, content, content.overdue, with_unit=True)
    else:
        body(doc, "Trong kỳ không có nhiệm vụ quá hạn.")
    extensions_block(doc, content, with_unit=True)

    # III. Nhiệm vụ trọng tâm kỳ tới
    heading(doc, SECTIONS[2])
    nxt, due = content.next_period, content.due_next
    if nxt is not None and due:
        per_unit: dict[str, int] = {}
        for r in due:
            per_unit[r.unit] = per_unit.get(r.unit, 0) + 1
        body(doc, f"Kỳ báo cáo {nxt.title} (đến ngày {_d(nxt.cutoff)}) có {len(due)} nhiệm vụ đến hạn "
                  f"(danh sách tại phụ lục kèm theo):", keep_with_next=True)
        bullets(doc, [f"{name}: {n} nhiệm vụ." for name, n in sorted(per_unit.items(), key=lambda x: -x[1])])
    elif nxt is not None:
        body(doc, f"Kỳ báo cáo {nxt.title} (đến ngày {_d(nxt.cutoff)}) không có nhiệm vụ đến hạn.")
    body(doc, "Các đơn vị tập trung hoàn thành các nhiệm vụ quá hạn, duy trì các nhiệm vụ thường xuyên "
              "và bảo đảm thời hạn các nhiệm vụ đến hạn trong kỳ tới.")

    # IV. Đề xuất, kiến nghị
    heading(doc, SECTIONS[3])
    if content.awaiting:
        body(doc, f"Có {len(content.awaiting)} nhiệm vụ chưa thể triển khai do chờ văn bản, sự kiện (chủ yếu là văn bản, "
                  f"hướng dẫn của cấp trên); đề nghị cấp có thẩm quyền sớm ban hành để các đơn vị triển khai.")
    if content.unset:
        body(doc, f"Có {len(content.unset)} nhiệm vụ chưa xác định được thời hạn; đề nghị các đơn vị xác định "
                  f"thời hạn để theo dõi, đôn đốc.")
    if not (content.awaiting or content.unset):
        body(doc, "Không có.")

    return finish(doc, Path(path), recipients=recipients, signer_title=signer_title,
                  signer_on_behalf=signer_on_behalf, signer_name=signer_name,
                  closing=closing_sentence(content, report.unit))

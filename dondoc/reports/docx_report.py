"""The report as an official Word document (Nghị định 30/2020/NĐ-CP, Phụ lục I).

A4 portrait, margins 20/20/30/15 mm, Times New Roman; a borderless two-column
header (issuing body and number | Quốc hiệu and Tiêu ngữ), the place and date in
italics, "BÁO CÁO" and the subject, numbered sections with tables and the status
chart (Hình 1, with its caption), "Nơi nhận" and the signature block; page numbers
centred at the top from page 2. The pieces are shared with the province report.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dondoc.domain.status import Shown
from dondoc.reports.chart import chart_data, render_chart
from dondoc.reports.content import ReportContent, format_rate
from dondoc.reports.docx_parts import (
    FONT,
    _bottom_rule,
    _cell_text,
    _font,
    _no_borders,
    _page_field,
    _para,
    _table,
)
CHART_LIMIT = 30  # bars in a chart at most
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
SECTIONS = (
    "I. Tổng quan",
    "II. Theo lĩnh vực",
    "III. Theo cơ quan",
    "IV. Nhiệm vụ đã hoàn thành",
    "V. Nhiệm vụ quá hạn",
    "VI. Nhiệm vụ thường xuyên",
    "VII. Nhiệm vụ chờ sự kiện",
    "VIII. Thay đổi so với kỳ trước",
)
DEFAULT_RECIPIENTS = (
    "UBND tỉnh (để báo cáo);",
    "Sở Nội vụ (để báo cáo);",
    "TT Đảng ủy, TT HĐND xã;",
    "Chủ tịch, các PCT UBND xã;",
    "Các cơ quan, đơn vị thuộc xã;",
    "Lưu: VT, VP.",
)


def date_line(place: str, day: date) -> str:
    """"Ngọc Liên, ngày 05 tháng 3 năm 2026": days below 10 and months 1–2 take a leading 0."""
    dd = f"{day.day:02d}" if day.day < 10 else str(day.day)
    mm = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {dd} tháng {mm} năm {day.year}"


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


STATUS_ORDER = (
    Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.DUE_SOON, Shown.OVERDUE, Shown.UNSET, Shown.AWAITING,
    Shown.CONTINUOUS,
)


def status_order(totals: dict[str, int]) -> tuple[Shown, ...]:
    """The status columns of a report: "chưa xác định thời hạn" only when some deadline is still to be set."""
    return STATUS_ORDER if totals.get(Shown.UNSET.value) else tuple(s for s in STATUS_ORDER if s is not Shown.UNSET)


def _totals_row(name, totals: dict[str, int], order: tuple[Shown, ...]) -> list:
    return [name, sum(totals.values()), *(totals[s.value] for s in order)]


def _short(s: Shown) -> str:
    return s.label[0].upper() + s.label[1:]


def new_document(
    *, issuer: str, place: str, signed_on: date, number: str, subject: str, period_line: str
) -> Document:
    """An A4 document with the NĐ30 header, the title "BÁO CÁO", the subject and the data-period line."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    # Page numbers centred at the top, from page 2: a different (empty) first-page header.
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header_p)
    section.first_page_header.paragraphs[0].text = ""

    # Header: issuing body and number | Quốc hiệu and Tiêu ngữ.
    head = doc.add_table(rows=2, cols=2)
    _no_borders(head)
    head.autofit = False
    for row in head.rows:
        row.cells[0].width, row.cells[1].width = Mm(65), Mm(100)
    left, right = head.rows[0].cells
    issuer_p = _cell_text(left, issuer.upper(), size=13, bold=True)
    _bottom_rule(issuer_p)
    _cell_text(right, QUOC_HIEU, size=13, bold=True)
    tieu_ngu = _cell_text(right, TIEU_NGU, size=14, bold=True)
    _bottom_rule(tieu_ngu)
    left2, right2 = head.rows[1].cells
    _cell_text(left2, f"Số: {number}", size=13)
    _cell_text(right2, date_line(place, signed_on), size=14, italic=True)

    _para(doc, "", size=8)
    _para(doc, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, period_line, size=14, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=10, space_after=6)
    return doc


def default_subject(content: ReportContent) -> str:
    title = content.period.title
    return f"Kết quả thực hiện kế hoạch cải cách hành chính {title[0].lower() + title[1:]}"


def period_line(content: ReportContent) -> str:
    return f"Số liệu tính từ ngày {_d(content.period.start)} đến ngày {_d(content.cutoff)}."


def heading(doc, text):
    p = _para(doc, text, size=14, bold=True, space_after=6, indent_first=10)
    p.paragraph_format.keep_with_next = True  # never alone at the foot of a page
    return p


def body(doc, text, *, keep_with_next: bool = False):
    p = _para(doc, text, size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=10, space_after=6)
    if keep_with_next:
        p.paragraph_format.keep_with_next = True
    return p


def status_header(order: tuple[Shown, ...]) -> list[str]:
    return ["Tổng số", *(_short(s) for s in order)]


def totals_widths(order: tuple[Shown, ...]) -> list[float]:
    """A name column of 45 mm, then "Tổng số" and one column per status sharing the rest of the 165 mm text width."""
    return [45, *([120 / (1 + len(order))] * (1 + len(order)))]


def totals_table(doc, name_header: str, groups) -> None:
    order = status_order({k: sum(g.totals[k] for g in groups) for k in groups[0].totals} if groups else {})
    _table(doc, [name_header, *status_header(order)], [_totals_row(g.name, g.totals, order) for g in groups], size=10,
           widths_mm=totals_widths(order))


def overview(doc, content: ReportContent) -> None:
    """The overview sentence and the totals table (section I)."""
    t = content.totals
    body(
        doc,
        f"Tổng số nhiệm vụ (theo mốc thời hạn) theo dõi: {content.total}; đã hoàn thành {content.done_count} "
        f"(đúng hạn {t[Shown.DONE_ON_TIME.value]}, trễ hạn {t[Shown.DONE_LATE.value]}); quá hạn {t[Shown.OVERDUE.value]}; "
        f"tỷ lệ hoàn thành đúng hạn: {format_rate(content.on_time_rate)}.",
    )
    _table(doc, ["Trạng thái", "Số nhiệm vụ"],
           [[_short(s), t[s.value]] for s in status_order(t)] + [["Tổng số", content.total],
                                                              ["Tỷ lệ hoàn thành đúng hạn", format_rate(content.on_time_rate)]])


def chart_caption(number: int, subject: str, content: ReportContent, data=None, noun: str = "cơ quan") -> str:
    """"Hình 1. Tình hình thực hiện nhiệm vụ theo … (số liệu đến ngày …)"; says so when bars were left out."""
    more = ""
    if data is not None and data.omitted:
        shown = len(data.categories)
        more = f"; {shown}/{shown + data.omitted} {noun} có nhiều nhiệm vụ quá hạn nhất"
    return f"Hình {number}. Tình hình thực hiện nhiệm vụ {subject} (số liệu đến ngày {_d(content.cutoff)}{more})"


def picture(doc, png: bytes, caption: str, *, width_mm: float = 160) -> None:
    """The chart, centred on the text width, with its caption below (italic, centred)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    _font(p.add_run(), 13).add_picture(BytesIO(png), width=Mm(width_mm))
    _para(doc, caption, size=13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)


def overdue_table(doc, rows, *, with_unit: bool = False) -> None:
    unit = ["Đơn vị"] if with_unit else []
    _table(doc, ["STT", *unit, "Nhiệm vụ", "Nội dung", "Cơ quan chủ trì", "Hạn", "Số ngày quá hạn", "Lý do"],
           [[i, *([r.unit] if with_unit else []), r.item, r.content, ", ".join(r.lead),
             _d(r.extended_due or r.effective_due), r.days_overdue, r.last_note or "(chưa báo cáo lý do)"]
            for i, r in enumerate(rows, 1)], size=10,
           widths_mm=[10, 20, 18, 32, 24, 22, 12, 27] if with_unit else [10, 20, 44, 26, 22, 13, 30])


def extensions_block(doc, content: ReportContent, *, with_unit: bool = False) -> None:
    if content.extensions:
        body(doc, f"Trong kỳ có {len(content.extensions)} nhiệm vụ được gia hạn:", keep_with_next=True)
        unit = ["Đơn vị"] if with_unit else []
        _table(doc, ["STT", *unit, "Nhiệm vụ", "Nội dung", "Hạn cũ", "Hạn mới", "Người cho gia hạn", "Lý do"],
               [[i, *([e.unit] if with_unit else []), e.item, e.content, _d(e.previous_due), _d(e.new_due),
                 e.granted_by, e.reason or ""] for i, e in enumerate(content.extensions, 1)], size=10,
               widths_mm=[10, 20, 18, 35, 20, 20, 20, 22] if with_unit else [10, 22, 45, 22, 22, 22, 22])
    else:
        body(doc, "Trong kỳ không có nhiệm vụ được gia hạn.")


def finish(doc, path: Path, *, recipients, signer_title: str, signer_on_behalf: str | None,
           signer_name: str | None) -> Path:
    """Closing blocks ("Nơi nhận" left, signer right), then save."""
    _para(doc, "", size=8)
    closing = doc.add_table(rows=1, cols=2)
    _no_borders(closing)
    closing.autofit = False
    left, right = closing.rows[0].cells
    left.width, right.width = Mm(85), Mm(80)
    _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for r in recipients:
        _cell_text(left, f"- {r}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    if signer_on_behalf:
        _cell_text(right, signer_on_behalf, size=14, bold=True)
    _cell_text(right, signer_title, size=14, bold=True)
    for _ in range(4):
        _cell_text(right, "", size=14)
    if signer_name:
        _cell_text(right, signer_name, size=14, bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def write_docx(
    content: ReportContent,
    path: str | Path,
    *,
    issuer: str = "UỶ BAN NHÂN DÂN XÃ NGỌC LIÊN",
    place: str = "Ngọc Liên",
    signed_on: date,
    number: str = "…/BC-UBND",
    signer_title: str = "CHỦ TỊCH",
    signer_on_behalf: str = "TM. UỶ BAN NHÂN DÂN",
    signer_name: str | None = None,
    recipients: list[str] | tuple[str, ...] = DEFAULT_RECIPIENTS,
    subject: str | None = None,
    chart: bool = True,
) -> Path:
    """The unit's report; ``chart``: the status-by-office chart (Hình 1) in section III."""
    doc = new_document(issuer=issuer, place=place, signed_on=signed_on, number=number,
                       subject=subject or default_subject(content), period_line=period_line(content))

    heading(doc, SECTIONS[0])
    overview(doc, content)

    heading(doc, SECTIONS[1])
    totals_table(doc, "Lĩnh vực", content.by_area)

    heading(doc, SECTIONS[2])
    totals_table(doc, "Cơ quan chủ trì", content.by_office)
    if chart and content.by_office:
        data = chart_data(content.by_office, limit=CHART_LIMIT)
        picture(doc, render_chart(data), chart_caption(1, "theo cơ quan chủ trì", content, data))

    heading(doc, SECTIONS[3])
    if content.done:
        _table(doc, ["STT", "Nhiệm vụ", "Nội dung", "Hạn", "Ngày hoàn thành", "Sản phẩm", "Kết quả"],
               [[i, d.row.item, d.row.content, _d(d.row.extended_due or d.row.effective_due), _d(d.done_on),
                 d.row.product or "", _short(d.row.shown)] for i, d in enumerate(content.done, 1)], size=10,
               widths_mm=[10, 22, 50, 22, 22, 22, 17])
    else:
        body(doc, "Trong kỳ chưa có nhiệm vụ hoàn thành.")

    heading(doc, SECTIONS[4])
    if content.overdue:
        overdue_table(doc, content.overdue)
    else:
        body(doc, "Không có nhiệm vụ quá hạn.")
    extensions_block(doc, content)

    heading(doc, SECTIONS[5])
    if content.continuous:
        _table(doc, ["STT", "Nhiệm vụ", "Nội dung", "Cơ quan chủ trì", "Tiến độ gần nhất", "Ngày cập nhật"],
               [[i, r.item, r.content, ", ".join(r.lead), r.last_note or "(chưa có báo cáo)", _d(r.last_update)]
                for i, r in enumerate(content.continuous, 1)], size=10, widths_mm=[10, 22, 50, 26, 35, 22])
    else:
        body(doc, "Không có nhiệm vụ thường xuyên.")

    heading(doc, SECTIONS[6])
    if content.awaiting:
        _table(doc, ["STT", "Nhiệm vụ", "Nội dung", "Sự kiện chờ"],
               [[i, r.item, r.content, r.event or r.deadline_text] for i, r in enumerate(content.awaiting, 1)], size=10,
               widths_mm=[10, 22, 83, 50])
    else:
        body(doc, "Không có nhiệm vụ chờ sự kiện.")
    if content.unset:
        body(doc, f"Nhiệm vụ chưa xác định được thời hạn ({len(content.unset)}), cơ quan thường trực cần xác định:")
        _table(doc, ["STT", "Nhiệm vụ", "Nội dung", "Thời hạn ghi trong kế hoạch"],
               [[i, r.item, r.content, r.deadline_text] for i, r in enumerate(content.unset, 1)], size=10,
               widths_mm=[10, 22, 83, 50])

    heading(doc, SECTIONS[7])
    if content.previous is None:
        body(doc, "Không so sánh với kỳ trước.")
    elif content.changes:
        body(doc, f"So với kỳ báo cáo {content.previous.title} (chốt số liệu ngày {_d(content.previous.cutoff)}):")
        _table(doc, ["STT", "Nhiệm vụ", "Nội dung", "Kỳ trước", "Kỳ này"],
               [[i, c.item + (f" ({c.label})" if c.label else ""), c.content,
                 _short(c.before) if c.before else "(chưa theo dõi)", _short(c.after) if c.after else "(không còn theo dõi)"]
                for i, c in enumerate(content.changes, 1)], size=10, widths_mm=[10, 25, 80, 25, 25])
    else:
        body(doc, f"Không có thay đổi so với kỳ báo cáo {content.previous.title}.")

    return finish(doc, Path(path), recipients=recipients, signer_title=signer_title,
                  signer_on_behalf=signer_on_behalf, signer_name=signer_name)

"""The layout of the reports as official Word documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).

A4 portrait, margins 20/20/30/15 mm, Times New Roman; a borderless two-column
header (the issuing body "ỦY BAN NHÂN DÂN" over the unit, a short rule under it, and
the number | the Quốc hiệu on one line, the Tiêu ngữ with a short rule under it), the
place and date in italics, "BÁO CÁO" and the subject, headings, sentences and tables,
the status chart (Hình 1, with its caption), the closing sentence, then "Nơi nhận" and
the signature block kept together; page numbers centred at the top from page 2.
The unit report (unit_docx) and the province report (province_docx) are built of these.
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
from dondoc.reports.content import ReportContent, format_rate
from dondoc.reports.docx_parts import (
    FONT,
    _cell_margins,
    _cell_text,
    _fixed_widths,
    _font,
    _keep_together,
    _no_borders,
    _page_field,
    _para,
    _short_rule,
    _table,
)
CHART_LIMIT = 30  # bars in a chart at most
LIST_LIMIT = 8  # items named in a narrative paragraph at most; the tables list them all
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
ORGAN = "ỦY BAN NHÂN DÂN"  # Nghị định 30/2020's spelling ("ỦY", not "UỶ")
ON_BEHALF = "TM. ỦY BAN NHÂN DÂN"
SECTIONS = (
    "I. Kết quả đạt được",
    "II. Tồn tại, hạn chế và nguyên nhân",
    "III. Nhiệm vụ trọng tâm kỳ tới",
    "IV. Đề xuất, kiến nghị",
)
HEADER_WIDTHS = (62, 103)  # mm: issuing body | Quốc hiệu (12 pt bold fits 103 mm on one line)
DEFAULT_RECIPIENTS = (
    "UBND tỉnh (để báo cáo);",
    "Sở Nội vụ (để báo cáo);",
    "TT Đảng ủy, TT HĐND xã;",
    "Chủ tịch, các PCT UBND xã;",
    "Các cơ quan, đơn vị thuộc xã;",
    "Lưu: VT, VP.",
)


DEPARTMENT_RECIPIENTS = (
    "UBND tỉnh (để báo cáo);",
    "Sở Nội vụ (để tổng hợp);",
    "Giám đốc, các Phó Giám đốc;",
    "Các phòng, đơn vị thuộc Sở;",
    "Lưu: VT, VP.",
)
LOCAL_WORD = {"commune": "xã", "ward": "phường", "special_zone": "đặc khu"}


def recipients_for(level: str) -> tuple[str, ...]:
    """"Nơi nhận" by the unit's kind: a commune's, a ward's ("phường"), a special zone's, a department's."""
    if level == "department":
        return DEPARTMENT_RECIPIENTS
    word = LOCAL_WORD.get(level, "xã")
    return tuple(r.replace(" xã", f" {word}") for r in DEFAULT_RECIPIENTS)


def issuer_lines(unit: str, governing: str | None = None) -> str:
    """The issuing body as printed: "ỦY BAN NHÂN DÂN" over the unit ("XÃ NGỌC LIÊN"); a department under
    its governing body ("UBND TỈNH THANH HÓA" over "SỞ NỘI VỤ")."""
    if governing:
        return f"UBND {governing.upper()}\n{unit.upper()}"
    return f"{ORGAN}\n{unit.upper()}"


def organ_phrase(unit: str, level: str | None = None) -> str:
    """"Ủy ban nhân dân xã Ngọc Liên" (a department: "Sở Nội vụ"): the body as named in a sentence."""
    if level == "department":
        return unit
    return f"Ủy ban nhân dân {unit[:1].lower() + unit[1:]}" if unit else "Ủy ban nhân dân"


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

    # Header: issuing body and number | Quốc hiệu and Tiêu ngữ, each with a short line under it.
    head = doc.add_table(rows=2, cols=2)
    _no_borders(head)
    _cell_margins(head)
    _fixed_widths(head, HEADER_WIDTHS)
    left, right = head.rows[0].cells
    lines = [line for line in issuer.replace("UỶ", "ỦY").split("\n") if line.strip()]
    for line in lines:  # the governing body above a department ("UBND TỈNH …") is not bold
        _cell_text(left, line.upper(), size=13, bold=not (len(lines) > 1 and line is lines[0] and line.startswith("UBND ")))
    # The line under the body: about a third of its longest line.
    _short_rule(left, min(max(len(x) for x in lines) * 1.0, 40), HEADER_WIDTHS[0])
    _cell_text(right, QUOC_HIEU, size=12, bold=True)
    _cell_text(right, TIEU_NGU, size=13, bold=True)
    _short_rule(right, 62, HEADER_WIDTHS[1])  # as long as the Tiêu ngữ
    left2, right2 = head.rows[1].cells
    _cell_text(left2, f"Số: {number}", size=13).paragraph_format.space_before = Pt(4)
    _cell_text(right2, date_line(place, signed_on), size=14, italic=True).paragraph_format.space_before = Pt(4)

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


def subheading(doc, text):
    """A numbered part of a section ("1. Theo lĩnh vực"): bold italic, kept with what follows."""
    p = _para(doc, text, size=14, bold=True, italic=True, space_after=6, indent_first=10)
    p.paragraph_format.keep_with_next = True
    return p


def body(doc, text, *, keep_with_next: bool = False):
    p = _para(doc, text, size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=10, space_after=6)
    if keep_with_next:
        p.paragraph_format.keep_with_next = True
    return p


def bullets(doc, lines, *, total: int | None = None, where: str = "") -> None:
    """One paragraph per line ("- Mục 37: …"), at most LIST_LIMIT; says how many more the table lists."""
    lines = list(lines)
    for line in lines[:LIST_LIMIT]:
        body(doc, f"- {line}")
    more = (total if total is not None else len(lines)) - min(len(lines), LIST_LIMIT)
    if more > 0:
        body(doc, f"- … và {more} nhiệm vụ khác{(' ' + where) if where else ''}.")


def status_header(order: tuple[Shown, ...]) -> list[str]:
    return ["Tổng số", *(_short(s) for s in order)]


def totals_widths(order: tuple[Shown, ...]) -> list[float]:
    """A name column of 45 mm, then "Tổng số" and one column per status sharing the rest of the 165 mm text width."""
    return [45, *([120 / (1 + len(order))] * (1 + len(order)))]


def totals_table(doc, name_header: str, groups) -> None:
    order = status_order({k: sum(g.totals[k] for g in groups) for k in groups[0].totals} if groups else {})
    _table(doc, [name_header, *status_header(order)], [_totals_row(g.name, g.totals, order) for g in groups], size=10,
           widths_mm=totals_widths(order))


def overview_sentence(content: ReportContent) -> str:
    t = content.totals
    return (f"Tổng số nhiệm vụ (theo mốc thời hạn) theo dõi: {content.total}; đã hoàn thành {content.done_count} "
            f"(đúng hạn {t[Shown.DONE_ON_TIME.value]}, trễ hạn {t[Shown.DONE_LATE.value]}); quá hạn {t[Shown.OVERDUE.value]}; "
            f"tỷ lệ hoàn thành đúng hạn: {format_rate(content.on_time_rate)}.")


def overview_table(doc, content: ReportContent) -> None:
    t = content.totals
    _table(doc, ["Trạng thái", "Số nhiệm vụ"],
           [[_short(s), t[s.value]] for s in status_order(t)] + [["Tổng số", content.total],
                                                              ["Tỷ lệ hoàn thành đúng hạn", format_rate(content.on_time_rate)]],
           widths_mm=[110, 55])


def overview(doc, content: ReportContent) -> None:
    """The overview sentence and the totals table."""
    body(doc, overview_sentence(content))
    overview_table(doc, content)


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


def _item(content: ReportContent, row, text: str | None = None, label: str | None = None) -> str:
    """"Mục 37. Triển khai …" (with the milestone, "Mục 37 (Ban hành kế hoạch). …"): a table's item cell."""
    name = content.item_label(row) + (f" ({label})" if label else "")
    return f"{name}. {text}" if text else name


def overdue_table(doc, content: ReportContent, rows, *, with_unit: bool = False) -> None:
    unit = ["Đơn vị"] if with_unit else []
    _table(doc, ["STT", *unit, "Nhiệm vụ", "Cơ quan chủ trì", "Hạn", "Số ngày quá hạn", "Lý do"],
           [[i, *([r.unit] if with_unit else []), _item(content, r, r.content, r.label), ", ".join(r.lead),
             _d(r.extended_due or r.effective_due), r.days_overdue, r.last_note or "(chưa báo cáo lý do)"]
            for i, r in enumerate(rows, 1)], size=10,
           widths_mm=[10, 20, 46, 28, 21, 13, 27] if with_unit else [10, 56, 34, 21, 13, 31])


def extensions_block(doc, content: ReportContent, *, with_unit: bool = False) -> None:
    if content.extensions:
        body(doc, f"Trong kỳ có {len(content.extensions)} nhiệm vụ được gia hạn:", keep_with_next=True)
        unit = ["Đơn vị"] if with_unit else []
        _table(doc, ["STT", *unit, "Nhiệm vụ", "Hạn cũ", "Hạn mới", "Người cho gia hạn", "Lý do"],
               [[i, *([e.unit] if with_unit else []), _item(content, e, e.content, e.label), _d(e.previous_due),
                 _d(e.new_due), e.granted_by, e.reason or ""] for i, e in enumerate(content.extensions, 1)], size=10,
               widths_mm=[10, 20, 53, 20, 20, 20, 22] if with_unit else [10, 67, 20, 20, 24, 24])
    else:
        body(doc, "Trong kỳ không có nhiệm vụ được gia hạn.")


def closing_sentence(content: ReportContent, unit: str, level: str | None = None) -> str:
    return (f"Trên đây là báo cáo kết quả thực hiện kế hoạch cải cách hành chính {content.period.title} "
            f"của {organ_phrase(unit, level)}./.")


def finish(doc, path: Path, *, recipients, signer_title: str, signer_on_behalf: str | None,
           signer_name: str | None, closing: str | None = None) -> Path:
    """The closing sentence, then "Nơi nhận" (left) and the signature block (right) in one borderless
    table kept together with that sentence, so neither strands alone on a last page; then save."""
    if closing:
        last = body(doc, closing, keep_with_next=True)
        last.paragraph_format.space_after = Pt(12)
    else:
        _para(doc, "", size=8).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_margins(table)
    _fixed_widths(table, (80, 85))
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for r in recipients:
        _cell_text(left, f"- {r}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    if signer_on_behalf:  # a head signing in person has no "TM." line: the title comes first
        _cell_text(right, signer_on_behalf.replace("UỶ", "ỦY"), size=14, bold=True)
    _cell_text(right, signer_title, size=14, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _cell_text(right, "", size=14)
    # The signer's full name; unset: an empty line for it, written in by hand.
    _cell_text(right, signer_name or "", size=14, bold=True)
    _keep_together(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path

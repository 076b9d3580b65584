"""The leadership overview as an Excel workbook, to print or pass on: the overdue due dates (with the
reasons the offices gave and the escalation reached), those due soon, and the items per lead office and
per area. Vietnamese headers, a title row on each sheet, A4 landscape fitted to the page width.

A province's workbook is its leadership page (:class:`dondoc.usecases.province.ProvinceView`, the same
cached view): its communes ranked by overdue share with their totals, then the items overdue longest.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.status import Shown
from dondoc.reports.xlsx_annex import fill_for, shade
from dondoc.storage.statusrun import Group, StatusRow, item_rows
from dondoc.usecases.context import Context
from dondoc.usecases.leadership import Escalation, LeadershipView, leadership_view
from dondoc.usecases.province import OverdueItem, ProvinceView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _label(row: StatusRow, several: bool) -> str:
    return item_label(row.number, short_plan_title(row.plan_title) if several else None)


def _escalation(esc: Escalation | None) -> str:
    if esc is None:
        return ""
    text = f"cấp {esc.level}" if esc.level else "chưa nhắc lên cấp trên"
    return text + (" · lãnh đạo đã nắm" if esc.acknowledged else "")


def _sheet(ws: Worksheet, title: str, subtitle: str, headers: list[str], widths: list[int],
           rows: list[list], empty: str, numeric: set[int] = frozenset()) -> None:
    """A titled table on A4 landscape, fitted to the page width, its header repeated on each printed page."""
    last = get_column_letter(len(headers))
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[1].height = 36
    ws.append([subtitle])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(italic=True)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    ws.row_dimensions[2].height = 15 * (subtitle.count("\n") + 1) + 4
    ws.append(headers)
    for cell in ws[3]:
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), _HEAD_FILL, _CENTER, _BORDER
    ws.row_dimensions[3].height = _height(headers, widths, bold=True)
    for values in rows or [[empty]]:
        ws.append(values)
        for index, cell in enumerate(ws[ws.max_row]):
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="right" if index in numeric else None)
        if rows:  # spreadsheet programs do not all grow a row to its wrapped text: say how high it is
            ws.row_dimensions[ws.max_row].height = _height(values, widths)
    if not rows:
        ws.merge_cells(f"A4:{last}4")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _height(values: list, widths: list[int], bold: bool = False) -> float:
    """The height (points) a row needs for its longest cell wrapped at the column's width (11 pt text).

    >>> _height(["Mục 1", "ngắn"], [10, 10]), _height(["x" * 50], [10])
    (15.0, 90.0)
    """
    lines = 1
    for value, width in zip(values, widths):
        per_line = max(int(width * (0.95 if bold else 1.05)) - 1, 1)
        text = "" if value is None else str(value)
        lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in text.split("\n")))
    return 15.0 * lines


def _counts(groups: list[Group], head: str) -> tuple[list[str], list[list]]:
    headers = [head, "Tổng số nhiệm vụ", *[s.label.capitalize() for s in Shown]]
    rows = [[g.name, len(g.rows), *[g.totals[s.value] or None for s in Shown]] for g in groups]
    if groups:  # an item led by two offices is in both groups, and once in the unit's total
        everyone = item_rows([r for g in groups for r in g.rows])
        rows.append(["Cả đơn vị", len(everyone), *[sum(1 for r in everyone if r.shown is s) or None for s in Shown]])
    return headers, rows


def workbook(view: LeadershipView, unit_name: str, as_of: date) -> Workbook:
    """The workbook of a leadership overview (four sheets)."""
    several = view.several_plans
    plans = "; ".join(title for _, title in view.plans)
    subtitle = f"{unit_name} · tính đến ngày {_d(as_of)}" + (f"\n{plans}" if plans else "")
    book = Workbook()

    overdue = book.active
    overdue.title = "Quá hạn"
    _sheet(overdue, "NHIỆM VỤ QUÁ HẠN", subtitle,
           ["STT", "Nhiệm vụ", "Nội dung", "Mốc", "Cơ quan chủ trì", "Hạn", "Hạn gốc (trước gia hạn)",
            "Số ngày quá hạn", "Lý do, tiến độ cơ quan báo cáo", "Nhắc lên cấp trên"],
           [6, 12, 48, 16, 24, 12, 14, 10, 40, 18],
           [[n, _label(r, several), r.content, r.label or "", ", ".join(r.lead),
             _d(r.extended_due or r.effective_due), _d(r.effective_due) if r.extended_due else "", r.days_overdue,
             (f"{r.last_note} ({_d(r.last_update)})" if r.last_note and r.last_update else r.last_note or
              "Chưa báo cáo lý do"),
             _escalation(view.escalation_of.get((r.item_id, r.milestone_id)))]
            for n, r in enumerate(view.overdue, start=1)],
           "Không có nhiệm vụ quá hạn.", numeric={0, 7})

    soon = book.create_sheet("Sắp đến hạn")
    _sheet(soon, "NHIỆM VỤ SẮP ĐẾN HẠN", subtitle,
           ["STT", "Nhiệm vụ", "Nội dung", "Mốc", "Cơ quan chủ trì", "Hạn", "Còn (ngày làm việc)",
            "Tiến độ cơ quan báo cáo"],
           [6, 12, 52, 16, 26, 12, 12, 44],
           [[n, _label(r, several), r.content, r.label or "", ", ".join(r.lead),
             _d(r.extended_due or r.effective_due), r.working_days_left, r.last_note or ""]
            for n, r in enumerate(view.due_soon, start=1)],
           "Không có nhiệm vụ sắp đến hạn.", numeric={0, 6})

    headers, rows = _counts(view.offices, "Cơ quan chủ trì")
    by_office = book.create_sheet("Theo cơ quan")
    _sheet(by_office, "SỐ NHIỆM VỤ THEO CƠ QUAN CHỦ TRÌ", subtitle + "\nMỗi nhiệm vụ được tính một lần, "
           "theo hạn cần chú ý nhất của nhiệm vụ.", headers, [34, 10, *[12] * len(Shown)], rows,
           "Chưa có nhiệm vụ.", numeric=set(range(1, len(headers))))
    for cell in by_office[by_office.max_row] if rows else ():
        cell.font = Font(bold=True)

    headers, rows = _counts(view.areas, "Lĩnh vực")
    by_area = book.create_sheet("Theo lĩnh vực")
    _sheet(by_area, "SỐ NHIỆM VỤ THEO LĨNH VỰC", subtitle, headers, [40, 10, *[12] * len(Shown)], rows,
           "Chưa có nhiệm vụ.", numeric=set(range(1, len(headers))))
    for cell in by_area[by_area.max_row] if rows else ():
        cell.font = Font(bold=True)
    return book


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def leadership_workbook_bytes(ctx: Context, unit_id: int, unit_name: str) -> bytes:
    """The unit's leadership overview today, as the bytes of an .xlsx file."""
    return _bytes(workbook(leadership_view(ctx, unit_id), unit_name, ctx.today()))


def _tint(cell, shown: Shown) -> None:
    """A status shown by the colour of one cell, as in the report's annex: a light fill, dark text."""
    cell.fill = fill_for(shown)
    cell.font = Font(bold=True, color=shade(shown))


def _chasing(item: OverdueItem) -> tuple[str, Shown | None]:
    """Where the commune's ladder stands for the item, as the page says it, and the colour of its cell."""
    if item.acknowledged:
        return "lãnh đạo đơn vị đã nắm", Shown.ON_TRACK
    if item.past_ladder:
        return "đã qua mọi bước nhắc", Shown.OVERDUE
    if item.level:
        return f"đã nhắc cấp {item.level}", Shown.DUE_SOON
    return "chưa nhắc", None


PROVINCE_SHEETS = ("Theo đơn vị", "Quá hạn lâu nhất")
COMMUNE_HEADERS = ["STT", "Đơn vị", "Nhiệm vụ", "Quá hạn", "Sắp đến hạn", "Hoàn thành", "Chờ", "Tỷ lệ quá hạn"]
OVERDUE_HEADERS = ["STT", "Đơn vị", "Nhiệm vụ", "Kế hoạch", "Nội dung", "Cơ quan chủ trì", "Hạn", "Số ngày quá hạn",
                   "Báo cáo gần nhất", "Nhắc ở đơn vị"]


def province_workbook(view: ProvinceView, unit_name: str) -> Workbook:
    """The workbook of a province's leadership page (two sheets): the communes ranked worst first with their
    totals (the overdue count in red where there is one), then the items overdue longest."""
    day = _d(view.as_of)
    book = Workbook()

    communes = book.active
    communes.title = PROVINCE_SHEETS[0]
    members = view.members
    rows = [[n, f"{m.name} (kế hoạch của đơn vị)" if m.own else m.name, m.items, m.overdue, m.due_soon, m.done,
             m.awaiting, round(m.overdue_share, 4)] for n, m in enumerate(members, start=1)]
    if rows:
        items, overdue = sum(m.items for m in members), sum(m.overdue for m in members)
        rows.append(["", "Cộng", items, overdue, sum(m.due_soon for m in members), sum(m.done for m in members),
                     sum(m.awaiting for m in members), round(overdue / items, 4) if items else 0.0])
    _sheet(communes, f"Tình hình thực hiện kế hoạch cải cách hành chính của các đơn vị trực thuộc {unit_name} – "
           f"ngày {day}",
           f"{len(view.communes)} đơn vị · {view.items} nhiệm vụ, {view.overdue} nhiệm vụ quá hạn ở "
           f"{view.communes_overdue} đơn vị; tỷ lệ quá hạn chung {view.overdue_share}\n"
           "Mỗi nhiệm vụ được tính một lần, theo hạn cần chú ý nhất của nhiệm vụ.\n"
           "Tỷ lệ quá hạn: số nhiệm vụ quá hạn trên tổng số nhiệm vụ của đơn vị; tỷ lệ cao nhất xếp trước.",
           COMMUNE_HEADERS, [6, 40, 11, 11, 11, 11, 11, 11], rows, "Chưa có đơn vị nào trực thuộc.",
           numeric={0, 2, 3, 4, 5, 6, 7})
    for n, row in enumerate(communes.iter_rows(min_row=4, max_row=3 + len(rows))):
        row[7].number_format = "0.0%"
        if n < len(members) and row[3].value:
            _tint(row[3], Shown.OVERDUE)
    for cell in communes[communes.max_row] if rows else ():
        cell.font = Font(bold=True)

    listed = view.most_overdue
    chasing = [_chasing(o) for o in listed]
    late = book.create_sheet(PROVINCE_SHEETS[1])
    count = (f"{len(listed)} trong {view.overdue} nhiệm vụ quá hạn" if len(listed) < view.overdue
             else f"{view.overdue} nhiệm vụ quá hạn")
    ladder = (f"Việc nhắc lên cấp trên dừng ở đơn vị: lần nhắc cuối (cấp {view.top_level}) gửi sau {view.last_step} "
              f"ngày làm việc quá hạn; chưa có bước nhắc lên {unit_name}." if view.top_level
              else "Chưa có bước nhắc lên cấp trên nào.")
    _sheet(late, f"Nhiệm vụ quá hạn lâu nhất của các đơn vị trực thuộc {unit_name} – ngày {day}",
           f"{count}, xếp theo số ngày quá hạn. {ladder}\n{view.past_ladder} nhiệm vụ đã qua mọi bước nhắc của "
           "đơn vị mà chưa hoàn thành, chưa được gia hạn hay xác nhận «đã nắm».",
           OVERDUE_HEADERS, [6, 20, 10, 18, 46, 22, 12, 10, 32, 20],
           [[n, o.unit, o.label, o.plan_short, o.brief.content, ", ".join(o.brief.lead) or "Chưa xác định cơ quan",
             _d(o.deadline), o.days_overdue, o.brief.last_note or "", said]
            for n, (o, (said, _)) in enumerate(zip(listed, chasing), start=1)],
           "Không có nhiệm vụ quá hạn.", numeric={0, 7})
    for (_, shown), row in zip(chasing, late.iter_rows(min_row=4)):
        if shown:
            _tint(row[9], shown)
    return book


def province_workbook_bytes(view: ProvinceView, unit_name: str) -> bytes:
    """A province's leadership page (its cached view) as the bytes of an .xlsx file."""
    return _bytes(province_workbook(view, unit_name))

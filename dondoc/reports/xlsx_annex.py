"""The .xlsx annex: the plan's appendix with each row's status at the cut-off.

One row per status row (item × milestone), filled with the shown status colour
(SHOWN_STYLE), an autofilter over the table and a frozen header row. A province
report adds a "Đơn vị" column and a first sheet summarising each unit.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dondoc.reports.content import ReportContent
from dondoc.domain.status import Shown

HEADER = (
    "STT", "Kế hoạch", "Nhiệm vụ", "Lĩnh vực", "Nội dung", "Cơ quan chủ trì", "Mốc", "Thời hạn",
    "Hạn", "Hạn gia hạn", "Trạng thái", "Ngày hoàn thành", "Sản phẩm", "Số ngày quá hạn", "Ghi chú",
)
WIDTHS = (6, 14, 14, 30, 60, 30, 16, 22, 12, 12, 20, 14, 30, 10, 40)
STATUS_COLUMN = HEADER.index("Trạng thái") + 1
PROVINCE_HEADER = (HEADER[0], "Đơn vị", *HEADER[1:])
ANNEX_SHEET = "Phụ lục"
SUMMARY_SHEET = "Tổng hợp theo đơn vị"
SUMMARY_ORDER = (
    Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.DUE_SOON, Shown.OVERDUE, Shown.UNSET, Shown.AWAITING,
    Shown.CONTINUOUS,
)
def summary_order(totals: dict[str, int]) -> tuple[Shown, ...]:
    """The status columns: "chưa xác định thời hạn" only when some deadline is still to be set."""
    return SUMMARY_ORDER if totals.get(Shown.UNSET.value) else tuple(s for s in SUMMARY_ORDER if s is not Shown.UNSET)


def summary_header(order: tuple[Shown, ...]) -> tuple[str, ...]:
    return ("STT", "Đơn vị", "Tổng số", *(s.label[0].upper() + s.label[1:] for s in order), "Tỷ lệ hoàn thành đúng hạn")
LIGHT_TEXT = {Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.OVERDUE, Shown.UNSET, Shown.AWAITING,
              Shown.CONTINUOUS}


def fill_for(shown: Shown) -> PatternFill:
    rgb = "FF" + shown.hex.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def _header_row(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _summary_sheet(wb, content: ReportContent, units) -> None:
    """One row per unit (totals by status, on-time rate), then the sum."""
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    order = summary_order(content.totals)
    header = summary_header(order)
    ws.append(list(header))
    _header_row(ws)
    for i, u in enumerate(units, 1):
        ws.append([i, u.name, u.total, *(u.totals[s.value] for s in order), u.on_time_rate])
    ws.append(["", "Tổng cộng", content.total, *(content.totals[s.value] for s in order), content.on_time_rate])
    for cell in ws[ws.max_row]:
        cell.font = Font(name="Times New Roman", bold=True)
    for row in ws.iter_rows(min_row=2, min_col=len(header), max_col=len(header)):
        row[0].number_format = "0.0%"
    for col, status in enumerate(order, 4):
        ws.cell(1, col).fill = fill_for(status)
        ws.cell(1, col).font = Font(name="Times New Roman", bold=True,
                                    color="FFFFFFFF" if status in LIGHT_TEXT else "FF000000")
    for col, width in enumerate((6, 30, 10, *([14] * len(order)), 14), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C2"


def write_xlsx(content: ReportContent, path: str | Path, *, units=None) -> Path:
    """The annex; with ``units`` (a province report's UnitSummary list) a summary sheet
    comes first and the annex gets a "Đơn vị" column after "STT"."""
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = ANNEX_SHEET
    header = PROVINCE_HEADER if units is not None else HEADER
    shift = len(header) - len(HEADER)
    ws.append(list(header))
    _header_row(ws)
    done_on = {d.row.milestone_id: d.done_on for d in content.done}
    date_columns = {col + shift for col in (9, 10, 12)}
    top = Alignment(vertical="top", wrap_text=True)
    styled: dict[tuple[Shown, bool], object] = {}

    def _style(cell, shown: Shown, is_date: bool) -> None:
        """Style the first cell of each kind; copy its style to the others. Assigning fill/font/
        alignment hashes the style objects on every cell, the bulk of the time at province scale."""
        key = (shown, is_date)
        if key in styled:
            cell._style = copy(styled[key])
            return
        cell.fill = fill_for(shown)
        cell.font = Font(name="Times New Roman", color="FFFFFFFF" if shown in LIGHT_TEXT else "FF000000")
        cell.alignment = top
        if is_date:
            cell.number_format = "DD/MM/YYYY"
        styled[key] = copy(cell._style)

    for i, r in enumerate(content.rows, 1):
        ws.append([
            i, *([r.unit] if shift else []), r.plan, r.item, f"{r.area_code}. {r.area}" if r.area_code else "", r.content,
            ", ".join(r.lead), r.label or "", r.deadline_text, r.effective_due, r.extended_due, r.shown.label,
            done_on.get(r.milestone_id), r.product or "", r.days_overdue, r.last_note or "",
        ])
        row = i + 1  # under the header; not ws.max_row, which scans every cell
        for col in range(1, len(header) + 1):
            _style(ws.cell(row, col), r.shown, col in date_columns)
    widths = (WIDTHS[0], 24, *WIDTHS[1:]) if shift else WIDTHS
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(content.rows) + 1}"
    if units is not None:
        _summary_sheet(wb, content, units)
        wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

"""The .xlsx annex: the plan's appendix with each row's status at the cut-off.

One row per status row (item × milestone), filled with the shown status colour
(SHOWN_STYLE), an autofilter over the table and a frozen header row.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dondoc.reports.content import ReportContent
from dondoc.status import Shown

HEADER = (
    "STT", "Kế hoạch", "Nhiệm vụ", "Lĩnh vực", "Nội dung", "Cơ quan chủ trì", "Mốc", "Thời hạn",
    "Hạn", "Hạn gia hạn", "Trạng thái", "Ngày hoàn thành", "Sản phẩm", "Số ngày quá hạn", "Ghi chú",
)
WIDTHS = (6, 14, 14, 30, 60, 30, 16, 22, 12, 12, 20, 14, 30, 10, 40)
STATUS_COLUMN = HEADER.index("Trạng thái") + 1
LIGHT_TEXT = {Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.OVERDUE, Shown.AWAITING, Shown.CONTINUOUS}


def fill_for(shown: Shown) -> PatternFill:
    rgb = "FF" + shown.hex.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def write_xlsx(content: ReportContent, path: str | Path) -> Path:
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    done_on = {d.row.milestone_id: d.done_on for d in content.done}
    for i, r in enumerate(content.rows, 1):
        ws.append([
            i, r.plan, r.item, f"{r.area_code}. {r.area}" if r.area_code else "", r.content, ", ".join(r.lead),
            r.label or "", r.deadline_text, r.effective_due, r.extended_due, r.shown.label,
            done_on.get(r.milestone_id), r.product or "", r.days_overdue, r.last_note or "",
        ])
        fill = fill_for(r.shown)
        font = Font(name="Times New Roman", color="FFFFFFFF" if r.shown in LIGHT_TEXT else "FF000000")
        for cell in ws[ws.max_row]:
            cell.fill = fill
            cell.font = font
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for col in (9, 10, 12):
            ws.cell(ws.max_row, col).number_format = "DD/MM/YYYY"
    for col, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{max(ws.max_row, 1)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

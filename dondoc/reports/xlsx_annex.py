"""The .xlsx annex: the plan's appendix with each row's status at the cut-off.

A title ("Phụ lục kèm theo Báo cáo số …/BC-UBND ngày …") and a subtitle over the table;
one row per status row (item × milestone): the plan's short title and "Mục" number, never
the plan code; the status cell alone is coloured (a light tint of the status colour, dark
text), the rest stays black on white. An autofilter over the table, the header row frozen
and repeated on every printed page, landscape A4 fitted to the page width. A province
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
    "STT", "Kế hoạch", "Mục", "Lĩnh vực", "Nội dung", "Cơ quan chủ trì", "Mốc", "Thời hạn",
    "Hạn", "Hạn gia hạn", "Trạng thái", "Ngày hoàn thành", "Sản phẩm", "Số ngày quá hạn", "Ghi chú",
)
WIDTHS = (5, 12, 6, 20, 45, 22, 12, 16, 11, 11, 14, 11, 18, 8, 24)
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
HEADER_ROW = 3  # the title, the subtitle, then the table's header
FONT = "Times New Roman"


def _mix(hex_colour: str, towards: tuple[int, int, int], share: float) -> str:
    """``hex_colour`` moved ``share`` of the way towards ``towards`` (white to tint, black to shade)."""
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (t - c) * share):02X}" for c, t in zip(rgb, towards))


def tint(shown: Shown) -> str:
    """A light fill for the status cell: the status colour, 80 % towards white ("FF" + RRGGBB)."""
    return "FF" + _mix(shown.hex, (255, 255, 255), 0.8)


def shade(shown: Shown) -> str:
    """Dark text of the status cell: the status colour, 45 % towards black."""
    return "FF" + _mix(shown.hex, (0, 0, 0), 0.45)


def fill_for(shown: Shown) -> PatternFill:
    rgb = tint(shown)
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


LINE_HEIGHT = 15  # points per line of 11 pt text


def row_height(values, widths) -> float | None:
    """The height that shows every wrapped line of a row (LibreOffice, and Excel on print, do not grow
    rows by themselves): the most lines any cell needs, a line being about ``width`` characters."""
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str) and value:
            per_line = max(int(width * 1.3) - 1, 4)
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in value.split("\n")))
    return lines * LINE_HEIGHT if lines > 1 else None


HEADER_FILL = PatternFill(fill_type="solid", start_color="FFE7E6E6", end_color="FFE7E6E6")


def _header_row(ws, row: int = 1) -> None:
    for cell in ws[row]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _title(ws, columns: int, title: str, subtitle: str) -> None:
    """Rows 1–2: the title (bold) and the subtitle (italic), centred across the table."""
    ws.append([title])
    ws.append([subtitle])
    for row, font in ((1, Font(name=FONT, bold=True, size=13)), (2, Font(name=FONT, italic=True, size=12))):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        cell = ws.cell(row, 1)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = 20


def _print_setup(ws, header_row: int) -> None:
    """Landscape A4, fitted to the page width (as many pages down as needed), the header row
    repeated on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"


def title_lines(content: ReportContent, number: str, signed_on) -> tuple[str, str]:
    """("Phụ lục kèm theo Báo cáo số …/BC-UBND ngày 05/03/2026", "Tình hình thực hiện … (số liệu đến ngày …)")."""
    day = f"{signed_on:%d/%m/%Y}" if signed_on else "…"
    title = f"Phụ lục kèm theo Báo cáo số {number or '…'} ngày {day}"
    period = content.period.title
    subtitle = (f"Tình hình thực hiện kế hoạch cải cách hành chính {period[:1].lower() + period[1:]} "
                f"(số liệu đến ngày {content.cutoff:%d/%m/%Y})")
    return title, subtitle


def _summary_sheet(wb, content: ReportContent, units, titles) -> None:
    """One row per unit (totals by status, on-time rate), then the sum."""
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    order = summary_order(content.totals)
    header = summary_header(order)
    _title(ws, len(header), *titles)
    ws.append(list(header))
    _header_row(ws, HEADER_ROW)
    for i, u in enumerate(units, 1):
        ws.append([i, u.name, u.total, *(u.totals[s.value] for s in order), u.on_time_rate])
    ws.append(["", "Tổng cộng", content.total, *(content.totals[s.value] for s in order), content.on_time_rate])
    for cell in ws[ws.max_row]:
        cell.font = Font(name="Times New Roman", bold=True)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=len(header), max_col=len(header)):
        row[0].number_format = "0.0%"
    for col, status in enumerate(order, 4):
        ws.cell(HEADER_ROW, col).fill = fill_for(status)
        ws.cell(HEADER_ROW, col).font = Font(name=FONT, bold=True, color=shade(status))
    widths = (6, 30, 10, *([14] * len(order)), 14)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = row_height(header, widths)
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    _print_setup(ws, HEADER_ROW)


def write_xlsx(content: ReportContent, path: str | Path, *, units=None, number: str = "…/BC-UBND",
               signed_on=None) -> Path:
    """The annex; with ``units`` (a province report's UnitSummary list) a summary sheet
    comes first and the annex gets a "Đơn vị" column after "STT"."""
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = ANNEX_SHEET
    header = PROVINCE_HEADER if units is not None else HEADER
    shift = len(header) - len(HEADER)
    titles = title_lines(content, number, signed_on)
    _title(ws, len(header), *titles)
    ws.append(list(header))
    _header_row(ws, HEADER_ROW)
    done_on = {d.row.milestone_id: d.done_on for d in content.done}
    date_columns = {col + shift for col in (9, 10, 12)}
    status_column = STATUS_COLUMN + shift
    top = Alignment(vertical="top", wrap_text=True)
    styled: dict[object, object] = {}

    def _style(cell, key, make) -> None:
        """Style the first cell of each kind; copy its style to the others. Assigning fill/font/
        alignment hashes the style objects on every cell, the bulk of the time at province scale."""
        if key in styled:
            cell._style = copy(styled[key])
            return
        make(cell)
        styled[key] = copy(cell._style)

    def _plain(cell, is_date: bool) -> None:
        cell.font = Font(name=FONT)
        cell.alignment = top
        if is_date:
            cell.number_format = "DD/MM/YYYY"

    def _status(cell, shown: Shown) -> None:
        cell.fill = fill_for(shown)
        cell.font = Font(name=FONT, bold=True, color=shade(shown))
        cell.alignment = top

    widths = (WIDTHS[0], 24, *WIDTHS[1:]) if shift else WIDTHS
    ws.row_dimensions[HEADER_ROW].height = row_height(header, widths)
    for i, r in enumerate(content.rows, 1):
        values = [
            i, *([r.unit] if shift else []), r.plan_short, r.number, f"{r.area_code}. {r.area}" if r.area_code else "",
            r.content, ", ".join(r.lead), r.label or "", r.deadline_text, r.effective_due, r.extended_due, r.shown.label,
            done_on.get(r.milestone_id), r.product or "", r.days_overdue, r.last_note or "",
        ]
        ws.append(values)
        row = HEADER_ROW + i  # under the header; not ws.max_row, which scans every cell
        height = row_height(values, widths)
        if height:
            ws.row_dimensions[row].height = height
        for col in range(1, len(header) + 1):
            if col == status_column:
                _style(ws.cell(row, col), r.shown, lambda c, s=r.shown: _status(c, s))
            else:
                is_date = col in date_columns
                _style(ws.cell(row, col), is_date, lambda c, d=is_date: _plain(c, d))
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(header))}{HEADER_ROW + len(content.rows)}"
    _print_setup(ws, HEADER_ROW)
    if units is not None:
        _summary_sheet(wb, content, units, titles)
        wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

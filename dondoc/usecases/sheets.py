"""Status updates by spreadsheet: an office's open items out to .xlsx, filled in, and back.

:func:`export_sheet` writes one row per open due date of the office's items (the
item, its content, deadline text, due date and current status), then four columns
to fill: the new status (a drop-down of Vietnamese labels), a note, the product and
the date. The header and the item columns are protected; a hidden column holds the
row's ids and a checksum, so a row whose item reference was edited, or whose ids
were typed over, is refused.

:func:`import_sheet` checks every row before writing anything; any problem (unknown
or removed item, bad status, bad date, text too long, tampered ids) raises
:class:`SheetError` naming the file, row and column of each one, and nothing is
stored. Otherwise all updates are recorded in one transaction (``source="sheet"``).
Rows whose fill-in columns are all empty are skipped.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Engine, select

from dondoc.domain.rules import check_report
from dondoc.domain.status import STORED_LABELS, Shown, Stored
from dondoc.importer import unpacks_too_large
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Item, Milestone, Occurrence, Office
from dondoc.storage.statusrun import run_status
from dondoc.text import fold, item_number_key, read_date
from dondoc.usecases.context import Context
from dondoc.usecases.updates import append_update, part_of

SHEET_TITLE = "Cập nhật"
MARKER = "dondoc-sheet"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
MAX_ROWS = 5000
# (header, width); the columns from "Trạng thái mới" to "Ngày cập nhật" are filled in by the office.
COLUMNS = [
    ("Mục", 18), ("Nội dung", 60), ("Thời hạn", 30), ("Hạn", 12), ("Tình trạng hiện tại", 22),
    ("Trạng thái mới", 18), ("Ghi chú", 40), ("Sản phẩm", 30), ("Ngày cập nhật", 14), ("Mã kiểm tra", 12),
]
REF, CONTENT, DEADLINE, DUE, CURRENT, STATUS, NOTE, PRODUCT, ON, CHECK = range(1, 11)
FILL_COLUMNS = (STATUS, NOTE, PRODUCT, ON)
_LETTERS = "ABCDEFGHIJ"
_STATUS_BY_KEY = {fold(label): s for s, label in STORED_LABELS.items()} | {s.value: s for s in Stored}
_CHECK = re.compile(r"^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([0-9a-f]{16})$")


class SheetError(ValueError):
    """A spreadsheet that cannot be imported; one line per problem, each naming file, row and column."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        head = f"Tệp {source}: không nhập được, chưa ghi nhận gì (nothing recorded)"
        super().__init__(head + (":\n" + "\n".join(f"  - {p}" for p in problems) if problems else "."))


@dataclass
class SheetImport:
    recorded: list[str] = field(default_factory=list)  # item references, one per update
    skipped: int = 0


def checksum(item_id: int, milestone_id: int, occurrence_id: int, ref: str) -> str:
    """The hidden cell of a row: its ids and a digest over them and the item reference shown."""
    digest = hashlib.sha256(f"{MARKER}|{item_id}|{milestone_id}|{occurrence_id}|{ref}".encode()).hexdigest()[:16]
    return f"{item_id}.{milestone_id}.{occurrence_id}.{digest}"


def _where(row: int, column: int) -> str:
    return f"dòng {row}, cột {_LETTERS[column - 1]} ({COLUMNS[column - 1][0]})"


# -------------------------------------------------------------------------------- export


def export_sheet(ctx: Context, office: Office | int, as_of: date, path: Path | str) -> int:
    """Write the office's open items as of ``as_of`` to ``path``; return the number of rows."""
    engine = ctx.engine
    office_id = office if isinstance(office, int) else office.id
    with read_session(engine) as session:
        office = session.get(Office, office_id)
        if office is None:
            raise LookupError(f"unknown office id {office_id}")
        office_name = office.name
    report = run_status(engine, as_of, ctx.calendar, due_soon_working_days=ctx.due_soon, office_ids=[office_id])
    rows = [r for r in report.rows if r.shown not in (Shown.DONE_ON_TIME, Shown.DONE_LATE)]
    rows.sort(key=lambda r: (r.plan, item_number_key(r.item), r.nominal_due or date.min))
    occurrence_ids = _occurrence_ids(engine, rows)

    book = Workbook()
    ws = book.active
    ws.title = SHEET_TITLE
    ws["A1"] = f"Cập nhật tình hình thực hiện: {office_name}, tính đến ngày {as_of:%d/%m/%Y}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = ("Chỉ điền các cột Trạng thái mới, Ghi chú, Sản phẩm, Ngày cập nhật (để trống = ngày nhập). "
                "Dòng để trống không được ghi nhận. Vướng mắc cần ghi rõ lý do ở cột Ghi chú.")
    ws["A2"].font = Font(italic=True)
    ws.cell(row=1, column=CHECK, value=f"{MARKER}:{office_id}")
    fill = PatternFill("solid", fgColor="FFF8E1")
    for column, (header, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E3E8EF")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[_LETTERS[column - 1]].width = width
    ws.column_dimensions[_LETTERS[CHECK - 1]].hidden = True

    for index, row in enumerate(rows):
        r = FIRST_ROW + index
        occ = occurrence_ids.get((row.milestone_id, row.nominal_due), 0) if row.nominal_due else 0
        deadline = row.extended_due or row.effective_due
        current = row.shown.label + (f" ({STORED_LABELS[Stored(row.stored)]})" if row.stored else "")
        values = {
            REF: row.item,
            CONTENT: row.content,
            DEADLINE: (f"{row.label}: " if row.label else "") + row.deadline_text,
            DUE: deadline if deadline else row.shown.label,
            CURRENT: current,
            CHECK: checksum(row.item_id, row.milestone_id, occ, row.item),
        }
        for column, value in values.items():
            cell = ws.cell(row=r, column=column, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=DUE).number_format = "DD/MM/YYYY"
        for column in FILL_COLUMNS:
            cell = ws.cell(row=r, column=column)
            cell.protection = Protection(locked=False)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=ON).number_format = "DD/MM/YYYY"

    if rows:
        last = FIRST_ROW + len(rows) - 1
        labels = ",".join(STORED_LABELS[s] for s in Stored)
        status = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=True,
                                errorTitle="Trạng thái", error="Chọn một trạng thái trong danh sách.")
        status.add(f"F{FIRST_ROW}:F{last}")
        day = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                             showErrorMessage=True, errorTitle="Ngày cập nhật", error="Nhập ngày dạng dd/mm/yyyy.")
        day.add(f"I{FIRST_ROW}:I{last}")
        ws.add_data_validation(status)
        ws.add_data_validation(day)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    book.save(path)
    return len(rows)


def _occurrence_ids(engine: Engine, rows) -> dict[tuple[int, date], int]:
    milestone_ids = sorted({r.milestone_id for r in rows if r.nominal_due})
    if not milestone_ids:
        return {}
    with read_session(engine) as session:
        found = session.execute(select(Occurrence.id, Occurrence.milestone_id, Occurrence.nominal_due)
                                .where(Occurrence.milestone_id.in_(milestone_ids)))
        return {(m, d): i for i, m, d in found}


# -------------------------------------------------------------------------------- import


@dataclass(frozen=True)
class _Row:
    number: int
    ref: str
    item_id: int
    milestone_id: int
    occurrence_id: int
    status: Stored
    note: str | None
    product: str | None
    on: date


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value, row: int, on: date, problems: list[str]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return on
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value)
        day = read_date(text)
        if day is None:
            problems.append(f"{_where(row, ON)}: «{text[:40]}» không phải ngày, dùng dd/mm/yyyy (invalid date).")
            return None
    if day > on:
        problems.append(f"{_where(row, ON)}: ngày {day:%d/%m/%Y} ở sau ngày nhập {on:%d/%m/%Y} (date in the future).")
        return None
    return day


def _read_rows(path: Path, on: date) -> tuple[list[_Row], int, list[str], int | None]:
    source = path.name
    bomb = unpacks_too_large(path)
    if bomb:
        raise SheetError(source, [bomb + "."])
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(source, [f"không đọc được bảng tính .xlsx ({type(exc).__name__}) (not a readable .xlsx file)."]) from None
    try:
        if SHEET_TITLE not in book.sheetnames:
            raise SheetError(source, [f"không có trang «{SHEET_TITLE}»: không phải bảng cập nhật do Đôn Đốc xuất (not a dondoc sheet)."])
        ws = book[SHEET_TITLE]
        marker = _text(ws.cell(row=1, column=CHECK).value)
        headers = [_text(ws.cell(row=HEADER_ROW, column=c).value) for c in range(1, len(COLUMNS) + 1)]
        if not marker.startswith(MARKER + ":") or headers != [h for h, _ in COLUMNS]:
            raise SheetError(source, [f"dòng {HEADER_ROW}: tiêu đề cột đã bị sửa hoặc không phải bảng do Đôn Đốc xuất "
                                      "(header changed or not a dondoc sheet); hãy xuất lại bằng «dondoc export-sheet»."])
        rows: list[_Row] = []
        problems: list[str] = []
        skipped = 0
        for number, values in enumerate(ws.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS), values_only=True), FIRST_ROW):
            if number >= FIRST_ROW + MAX_ROWS:
                problems.append(f"dòng {number}: bảng có quá {MAX_ROWS} dòng (too many rows).")
                break
            values = list(values) + [None] * (len(COLUMNS) - len(values))
            if all(_text(values[c - 1]) == "" for c in FILL_COLUMNS):
                skipped += any(_text(v) for v in values)
                continue
            rows.append(_read_row(number, values, on, problems))
    finally:
        book.close()
    office_id = marker.removeprefix(MARKER + ":")
    return [r for r in rows if r is not None], skipped, problems, int(office_id) if office_id.isdigit() else None


def _read_row(number: int, values: list, on: date, problems: list[str]) -> _Row | None:
    before = len(problems)
    ref, check = _text(values[REF - 1]), _text(values[CHECK - 1])
    match = _CHECK.match(check)
    ids = tuple(int(g) for g in match.groups()[:3]) if match else None
    if not ref and not check:
        problems.append(f"{_where(number, REF)}: dòng này không thuộc mục nào của bảng đã xuất; "
                        "chỉ điền vào các dòng có sẵn (row has no item).")
    elif ids is None or checksum(*ids, ref) != check:
        column = REF if match else CHECK
        problems.append(f"{_where(number, column)}: mã mục «{ref[:40]}» hoặc mã kiểm tra đã bị sửa; "
                        "hãy xuất lại bảng và điền lại dòng này (tampered item reference).")
    status_text = _text(values[STATUS - 1])
    status = _STATUS_BY_KEY.get(" ".join(fold(status_text).split()))
    if status is None:
        allowed = ", ".join(STORED_LABELS.values())
        shown = f"«{status_text[:40]}»" if status_text else "trống"
        problems.append(f"{_where(number, STATUS)}: trạng thái {shown} không hợp lệ; chọn một trong: {allowed} (invalid status).")
    note, product = _text(values[NOTE - 1]) or None, _text(values[PRODUCT - 1]) or None
    if status is not None:  # the same rules as every other way of reporting
        for problem in check_report(status.value, note=note, product=product):
            column = PRODUCT if problem.startswith("Sản phẩm") else NOTE
            problems.append(f"{_where(number, column)}: {problem}")
    day = _day(values[ON - 1], number, on, problems)
    if len(problems) > before:
        return None
    return _Row(number, ref, *ids, status, note, product, day)


def _check_targets(engine: Engine, rows: list[_Row], problems: list[str]) -> None:
    """Every row's item, milestone and due date still exist and belong together (three queries)."""
    if not rows:
        return
    with read_session(engine) as session:
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))}
        milestones = {m.id: m for m in session.scalars(
            select(Milestone).where(Milestone.id.in_({r.milestone_id for r in rows})))}
        occurrences = {o.id: o for o in session.scalars(
            select(Occurrence).where(Occurrence.id.in_({r.occurrence_id for r in rows if r.occurrence_id})))}
    for r in rows:
        item, milestone = items.get(r.item_id), milestones.get(r.milestone_id)
        occurrence = occurrences.get(r.occurrence_id) if r.occurrence_id else None
        if item is None or item.removed_at is not None:
            problems.append(f"{_where(r.number, REF)}: mục {r.ref} không còn trong kế hoạch (unknown item).")
        elif (milestone is None or milestone.item_id != r.item_id or not milestone.active
              or (r.occurrence_id and (occurrence is None or occurrence.milestone_id != r.milestone_id))):
            problems.append(f"{_where(r.number, DUE)}: thời hạn của mục {r.ref} đã thay đổi từ khi xuất bảng; "
                            "hãy xuất lại bảng (the item's due date changed).")


def import_sheet(ctx: Context, path: Path | str, *, on: date, by: str | None = None) -> SheetImport:
    """Record the filled-in rows of ``path``: every row is checked first; all are stored, or none."""
    path = Path(path)
    rows, skipped, problems, office_id = _read_rows(path, on)
    _check_targets(ctx.engine, rows, problems)
    if problems:
        raise SheetError(path.name, problems)
    result = SheetImport(skipped=skipped)
    with unit_of_work(ctx.engine) as session:
        if by is None and office_id is not None:
            office = session.get(Office, office_id)
            by = office.name if office else None
        for r in rows:
            append_update(session, r.item_id, r.milestone_id, r.occurrence_id or None, r.status, on=r.on, note=r.note,
                          product=r.product, by=by, source="sheet", audit={"file": path.name, "row": r.number},
                          part=part_of(session, r.item_id, office_id))
            result.recorded.append(r.ref)
    return result

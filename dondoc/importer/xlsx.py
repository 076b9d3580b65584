"""Excel (.xlsx) plans.

The appendix is on the first worksheet with the header row in its first
``HEADER_SEARCH_ROWS`` rows; cells above the header give the metadata. Row
numbers in errors are the worksheet's own row numbers.

Merged cells follow the .docx rules: a horizontal merge counts once; a
vertical merge repeats its value on the rows below, except on a row whose TT
cell is itself merged from above (that row continues the item above).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

import openpyxl

from .metadata import extract_metadata
from .model import ImportFormatError, ParsedPlan, clean_cell, header_keys
from .package import parse_package
from .table import TableAssembler
from .text import build_plan

HEADER_SEARCH_ROWS = 30


def parse_xlsx(path: Path | str | IO[bytes], *, source: str | None = None) -> ParsedPlan:
    """Parse an .xlsx plan (a path, or a binary file object with ``source`` as its name)."""
    return parse_package(path, source, extension="xlsx", what="bảng tính Excel",
                         load=lambda stream: openpyxl.load_workbook(stream, data_only=True),
                         parse=_parse_workbook, close=lambda workbook: workbook.close())


def cell_text(value: Any) -> str:
    """One cell value as text, the way a reader sees it.

    >>> cell_text(15.0), cell_text(dt.date(2026, 3, 31)), cell_text(None)
    ('15', '31/03/2026', '')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _parse_workbook(workbook, source: str) -> ParsedPlan:
    for ws in workbook.worksheets:
        grid = _sheet_rows(ws)
        for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
            if header_keys([clean_cell(text) for text, _ in cells]) is not None:
                return _parse_sheet(source, grid, index)
    raise ImportFormatError(
        source, f"không tìm thấy dòng tiêu đề của bảng phụ lục (TT, Nội dung thực hiện, "
        f"Cơ quan chủ trì, Cơ quan phối hợp, Thời gian hoàn thành) trong {HEADER_SEARCH_ROWS} "
        f"dòng đầu của các trang tính (no appendix header row in the first "
        f"{HEADER_SEARCH_ROWS} rows of any worksheet)")


def _sheet_rows(ws) -> list[list[tuple[str, bool]]]:
    """(text, merged-from-above) per cell, for every row of the sheet."""
    from_above: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        if rng.max_row > rng.min_row:
            top = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row + 1, rng.max_row + 1):
                from_above[(r, rng.min_col)] = top
    grid: list[list[tuple[str, bool]]] = []
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        row = [(cell_text(v), False) for v in values]
        if from_above:
            for c in range(len(row)):
                if (r, c + 1) in from_above:
                    row[c] = (cell_text(from_above[(r, c + 1)]), True)
        grid.append(row)
    return grid


def _parse_sheet(source: str, grid: list[list[tuple[str, bool]]], header_index: int) -> ParsedPlan:
    prose: list[str] = []
    for cells in grid[:header_index]:
        texts = [text for text, _ in cells if clean_cell(text)]
        prose.extend([line for text in texts for line in text.split("\n")] or [""])
    table = TableAssembler(source, row_label="dòng", keep_newlines=True)
    for r in range(header_index, len(grid)):
        cells = grid[r]
        col = table.number_column
        if col is not None and col < len(cells) and cells[col][1]:
            texts = ["" if merged else text for text, merged in cells]
        else:
            texts = [text for text, _ in cells]
        table.feed(r + 1, texts)
    return build_plan(source, extract_metadata(prose), table)

"""One cell per line: the appendix as copied from a PDF viewer.

The header cells come one per line ("TT", "Nội dung thực hiện", "Cơ quan chủ trì",
...; a header cell may wrap: "Cơ quan" / "chủ trì"), then every row the same way:
the item number alone on its line ("1." or "1"), then its cells, each on one or
more lines. A section is its Roman numeral alone ("I") followed by its title, or
"I. CẢI CÁCH THỂ CHẾ" on one line.

Rebuilding the rows uses the structure:

* item numbers run in sequence (1, 2, 3 ...), sections too (I, II, III ...): an
  item number alone on its line starts the next row; a number or numeral out of
  sequence followed by a capitalised line stops the import;
* the number of columns is the header's, so an item's lines must be cut into that
  many cells, in order; :mod:`dondoc.importer.cellsplit` weighs every possible cut:
  a cell never starts in lower case or after a dangling "và"/"của"/","; office
  columns start like office names, the time column names a time; then known office
  names, the column widths seen in the other rows and the like decide;
* after the last item, a blank line may end the table (prose follows), unless the
  copy has blank lines inside its rows.

If exactly one best cut remains the row is rebuilt; if none or several, the import
stops with an ImportFormatError naming the line of the item number and, for several,
showing two readings of the first cell they disagree on. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dondoc.text import roman_value

from .cellsplit import RowSplitter
from .metadata import extract_metadata
from .model import (
    COL_NUMBER,
    ImportFormatError,
    ParsedPlan,
    classify_header_cell,
    fold,
    header_keys,
)
from .table import TableAssembler
from .text import build_plan
from .wrapping import join_wrapped

_ITEM_RE = re.compile(r"([0-9]{1,6})\s*[.)]?")
_ROMAN_RE = re.compile(r"([IVXLCDM]{1,12})\s*[.):]?")
_SECTION_LINE_RE = re.compile(r"([IVXLCDM]{1,12})\s*[.):\-–]\s*(\S.*)")
_COLUMN_NUMBER_RE = re.compile(r"\(?([0-9]{1,2})\)?")
_HEADER_PHRASES = tuple(fold(x) for x in (
    "cơ quan chủ trì", "cơ quan phối hợp", "thời gian hoàn thành", "thời hạn hoàn thành", "sản phẩm",
    "nội dung thực hiện", "nội dung công việc", "ghi chú", "số thứ tự", "đơn vị chủ trì",
    "đơn vị phối hợp", "kết quả", "nhiệm vụ"))
MAX_ROW_LINES = 400


@dataclass
class _Row:
    line_no: int
    number: str
    section: bool
    lines: list[str] = field(default_factory=list)
    blank_after: list[int] = field(default_factory=list)  # positions in lines after a blank line
    spans: list | None = None  # the cell spans, when the row had one reading without widths


def find_cells_header(lines: list[str]) -> tuple[int, int, list[str]] | None:
    """(first line, line after the header, header names) of a one-cell-per-line header."""
    for i, line in enumerate(lines):
        if len(line) > 40 or classify_header_cell(line.strip()) != COL_NUMBER:
            continue
        found = _header_from(lines, i)
        if found is not None:
            return (i, *found)
    return None


def _header_from(lines: list[str], start: int) -> tuple[int, list[str]] | None:
    names = [lines[start].strip()]
    complete = [True]
    j = start + 1
    while j < len(lines) and len(names) <= 12:
        text = lines[j].strip()
        if not text:
            j += 1
            continue
        if _ITEM_RE.fullmatch(text) or _ROMAN_RE.fullmatch(text) or _SECTION_LINE_RE.fullmatch(text):
            break
        key = classify_header_cell(text)
        joined = f"{names[-1]} {text}"
        if not complete[-1]:
            names[-1] = joined
            complete[-1] = classify_header_cell(joined) is not None
        elif key is not None:
            names.append(text)
            complete.append(True)
        elif any(p.startswith(fold(text)) for p in _HEADER_PHRASES):
            names.append(text)
            complete.append(False)
        elif (text[:1].islower() or (text.isupper() and names[-1].isupper())) and (
                classify_header_cell(joined) == classify_header_cell(names[-1])):
            names[-1] = joined  # a wrapped header cell: "Nội dung" / "thực hiện", "NỘI DUNG" / "THỰC HIỆN"
        else:
            break  # not a header name: the rows say what is wrong with it
        j += 1
    if not all(complete) or len(names) < 3:
        return None
    found = header_keys(names)
    if found is None or found[0] != 0:
        return None
    return j, names


def parse_cells(text: str, source: str = "<text>") -> ParsedPlan:
    """Parse a plan whose appendix has one cell per line (see the module docstring)."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = find_cells_header(lines)
    table = TableAssembler(source)
    if found is None:
        table.finish(" (mỗi ô một dòng)")  # raises: no header
    start, end, names = found
    keys = header_keys(names)[1]
    table.feed(start + 1, names)
    end = _skip_column_numbers(lines, end, len(keys))
    rows = _rows(lines, end, source)
    splitter = RowSplitter(source, keys[1:])
    for row in rows:  # first the widths of the columns, from the rows with a single reading
        if not row.section:
            try:
                row.spans = splitter.split(row.number, row.line_no, row.lines)[1]
            except ImportFormatError:
                continue
    for row in rows:
        if row.spans is not None:
            splitter.learn_widths(row.lines, row.spans)
    blank_ends_table = not any(row.blank_after for row in rows[:-1])
    for index, row in enumerate(rows):
        if row.section:
            table.feed(row.line_no, [row.number, join_wrapped(row.lines)] + [""] * (len(keys) - 2))
        else:
            last = index == len(rows) - 1
            table.feed(row.line_no, [row.number, *_cells(splitter, row, last, blank_ends_table)])
    return build_plan(source, extract_metadata(lines[:start]), table)


def _cells(splitter: RowSplitter, row: _Row, last: bool, blank_ends_table: bool) -> list[str]:
    """The item's cells; after the last item, text following a blank line may be the prose
    after the table: the shortest such cut that splits is used."""
    cuts = (row.blank_after if last and blank_ends_table else []) + [len(row.lines)]
    failure: ImportFormatError | None = None
    for cut in cuts:
        try:
            return splitter.split(row.number, row.line_no, row.lines[:cut])[0]
        except ImportFormatError as exc:
            failure = failure or exc
    assert failure is not None
    raise failure


def _skip_column_numbers(lines: list[str], j: int, width: int) -> int:
    """Skip a "(1)" "(2)" ... column-numbering row under the header."""
    seen = []
    k = j
    while k < len(lines) and len(seen) < width:
        text = lines[k].strip()
        k += 1
        if not text:
            continue
        m = _COLUMN_NUMBER_RE.fullmatch(text)
        if not m or int(m.group(1)) != len(seen) + 1:
            return j
        seen.append(text)
    return k if len(seen) == width else j


def _rows(lines: list[str], start: int, source: str) -> list[_Row]:
    rows: list[_Row] = []
    next_item: int | None = None
    next_section: int | None = None
    blank = False
    for j in range(start, len(lines)):
        text = lines[j].strip()
        if not text:
            blank = True
            continue
        following = next((x.strip() for x in lines[j + 1:] if x.strip()), "")
        row = _row_start(text, following, next_item, next_section, j + 1, source)
        if row is not None:
            rows.append(row)
            if row.section:
                next_section = (roman_value(row.number) or 0) + 1
            else:
                next_item = int(row.number) + 1
        elif not rows:
            raise ImportFormatError(
                source, f"dòng “{text[:40]}” nằm giữa dòng tiêu đề và mục đầu tiên; mỗi mục phải bắt "
                "đầu bằng số thứ tự (như “1.”) hoặc mục lớn (như “I”) trên một dòng riêng (text "
                "between the header and the first row)", row=j + 1)
        else:
            if blank:
                rows[-1].blank_after.append(len(rows[-1].lines))
            rows[-1].lines.append(text)
            if len(rows[-1].lines) > MAX_ROW_LINES:
                raise ImportFormatError(
                    source, f"mục {rows[-1].number} dài hơn {MAX_ROW_LINES} dòng; không dựng lại được "
                    "bảng (row too long)", row=rows[-1].line_no)
        blank = False
    return rows


def _row_start(text: str, following: str, next_item: int | None, next_section: int | None,
               line_no: int, source: str) -> _Row | None:
    m = _ITEM_RE.fullmatch(text)
    if m:
        value = int(m.group(1))
        if next_item is None or value == next_item:
            return _Row(line_no, str(value), False)
        if value > next_item and value <= next_item + 20 and following[:1].isupper():
            raise ImportFormatError(
                source, f"số thứ tự {value} đứng ở chỗ của mục {next_item}: thiếu mục hoặc số thứ tự "
                "sai, không dựng lại được bảng (item number out of sequence)", row=line_no)
        return None
    m = _ROMAN_RE.fullmatch(text)
    title = None
    if m is None:
        m = _SECTION_LINE_RE.fullmatch(text)
        if m is None or not m.group(2)[:1].isupper():
            return None
        title = m.group(2)
    value = roman_value(m.group(1))
    if not value:
        return None
    if next_section is not None and value != next_section:
        if title is None and value > next_section and following[:1].isupper():
            raise ImportFormatError(
                source, f"mục lớn {m.group(1)} không liền sau mục lớn trước đó (section out of "
                "sequence)", row=line_no)
        return None
    row = _Row(line_no, m.group(1), True)
    if title:
        row.lines.append(title)
    return row

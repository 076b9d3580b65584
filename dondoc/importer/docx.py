"""Word (.docx) plans.

The appendix is every body table that starts with the appendix header (in its
first three rows, allowing a caption row above it). A table split per page
repeats the header; the parts are concatenated, as is a header-less table
after it with the same number of columns whose first row reads as data.
Metadata comes from the paragraphs and layout tables before the appendix.

Rows are numbered 1, 2, ... across all appendix tables, header rows included;
error messages call them "hàng" (table row).

Merged cells: a horizontally merged cell counts once (the other grid columns
read as empty). A vertically merged cell repeats its value on the rows below
(one "Cơ quan chủ trì" shared by several items), except on a row whose TT cell
is itself merged from above: that row continues the item above, so its merged
cells read as empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import docx as python_docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .metadata import extract_metadata
from .model import ParsedPlan, clean_cell, header_keys
from .package import parse_package
from .table import TableAssembler
from .text import build_plan

_DATA_START_RE = re.compile(r"[0-9]{1,6}\s*[.)]?|[IVXLCDM]{1,12}(?:[.)\s].*)?", re.S)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def parse_docx(path: Path | str | IO[bytes], *, source: str | None = None) -> ParsedPlan:
    """Parse a .docx plan (a path, or a binary file object with ``source`` as its name)."""
    return parse_package(path, source, extension="docx", what="tài liệu Word",
                         load=python_docx.Document, parse=_parse_document)


def _parse_document(document, source: str) -> ParsedPlan:
    table = TableAssembler(source, row_label="hàng", keep_newlines=True)
    prose: list[str] = []
    row_no = 0
    appendix_width: int | None = None
    for block in _iter_blocks(document):
        if isinstance(block, Paragraph):
            if not table.has_header:
                prose.extend(block.text.split("\n"))
            continue
        rows = list(block.rows)
        if not rows:
            continue
        first = [clean_cell(t) for t, _ in _row_cells(rows[0])]
        starts_appendix = any(  # the header may sit under a caption row or two
            header_keys([clean_cell(t) for t, _ in _row_cells(r)]) is not None
            for r in rows[:3])
        continues = (table.has_header and _width(block) == appendix_width
                     and _looks_like_data(first, table.number_column))
        if not (starts_appendix or continues):
            if not table.has_header:
                prose.extend(_layout_table_lines(rows))
            continue
        if appendix_width is None:
            appendix_width = _width(block)
        for row in rows:
            row_no += 1
            cells = _row_cells(row)
            col = table.number_column
            if col is not None and col < len(cells) and cells[col][1]:
                texts = ["" if merged else text for text, merged in cells]
            else:
                texts = [text for text, _ in cells]
            table.feed(row_no, texts)
    if not table.has_header:
        table.finish(" trong các bảng của tài liệu (in the document's tables)")
    return build_plan(source, extract_metadata(prose), table)


def _iter_blocks(document) -> Iterator[Paragraph | Table]:
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _W + "p":
            yield Paragraph(child, document)
        elif child.tag == _W + "tbl":
            yield Table(child, document)


def _width(table: Table) -> int:
    return len(table._tbl.tblGrid.gridCol_lst) if table._tbl.tblGrid is not None else 0


def _looks_like_data(cells: list[str], number_column: int | None) -> bool:
    """First row of a header-less table part: an item, a section or a continuation."""
    if number_column is None or number_column >= len(cells) or not any(cells):
        return False
    first = cells[number_column]
    return not first or bool(_DATA_START_RE.fullmatch(first))


def _row_cells(row) -> list[tuple[str, bool]]:
    """(text, merged-from-above) per grid column; horizontal spans read once."""
    out: list[tuple[str, bool]] = [("", False)] * row.grid_cols_before
    flags: list[bool] = []
    firsts: list[bool] = []
    for tc in row._tr.tc_lst:
        cont = tc.vMerge == "continue"
        for k in range(tc.grid_span):
            flags.append(cont)
            firsts.append(k == 0)
    cells = row.cells
    if len(cells) != len(flags):  # unusual layout: fall back to plain de-duplication
        flags = [False] * len(cells)
        firsts = [i == 0 or cells[i]._tc is not cells[i - 1]._tc for i in range(len(cells))]
    for cell, cont, first in zip(cells, flags, firsts):
        out.append((cell.text if first else "", cont))
    return out


def _layout_table_lines(rows) -> list[str]:
    """Text of a layout table (the letterhead) before the appendix, cell by cell."""
    lines: list[str] = []
    for row in rows:
        for text, _ in _row_cells(row):
            if text:
                lines.extend(text.split("\n"))
                lines.append("")
    return lines

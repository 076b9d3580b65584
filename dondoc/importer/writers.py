"""Write a ParsedPlan back out as a Word or Excel appendix.

Both writers produce files the parsers read back to the same areas and items
(number, area, content, lead, cooperating, deadline, product), and the same
title, number, issuer and period when the plan has them: the letterhead
("ỦY BAN NHÂN DÂN" + unit) and "Số: ..." lines are written for that purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docx as python_docx
import openpyxl
from docx.shared import Pt
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .model import (
    COL_CONTENT,
    COL_COOPERATING,
    COL_DEADLINE,
    COL_LEAD,
    COL_NUMBER,
    COL_PRODUCT,
    COLUMN_NAMES,
    ParsedArea,
    ParsedItem,
    ParsedPlan,
)

SHEET_TITLE = "Phụ lục"


def _columns(plan: ParsedPlan) -> list[str]:
    keys = [COL_NUMBER, COL_CONTENT, COL_LEAD, COL_COOPERATING, COL_DEADLINE]
    if plan.has_product_column:
        keys.append(COL_PRODUCT)
    return keys


def _rows(plan: ParsedPlan) -> Iterator[ParsedArea | ParsedItem]:
    """Section rows and item rows in appendix order."""
    areas = sorted(plan.areas, key=lambda a: a.position)
    codes = [a.code for a in areas]
    written = 0
    for item in sorted(plan.items, key=lambda i: i.position):
        if item.area_code is not None:
            if item.area_code not in codes:
                raise ValueError(f"item {item.number} names unknown area {item.area_code!r}")
            target = codes.index(item.area_code) + 1
            if target < written:
                raise ValueError(f"item {item.number} of area {item.area_code} is out of order")
            while written < target:
                yield areas[written]
                written += 1
        yield item
    yield from areas[written:]


def _item_values(item: ParsedItem, keys: list[str]) -> list[str]:
    values = {
        COL_NUMBER: item.number, COL_CONTENT: item.content, COL_LEAD: item.lead,
        COL_COOPERATING: item.cooperating, COL_DEADLINE: item.deadline,
        COL_PRODUCT: item.product or "",
    }
    return [values[k] for k in keys]


def _letterhead(plan: ParsedPlan) -> list[str]:
    lines: list[str] = []
    if plan.issuer and plan.issuer.startswith("UBND "):
        lines.append("ỦY BAN NHÂN DÂN " + plan.issuer[5:].upper())
    if plan.number:
        lines.append(f"Số: {plan.number}")
    return lines


def write_docx(plan: ParsedPlan, path: Path | str) -> Path:
    """A Word document: letterhead, title heading, then one appendix table."""
    path = Path(path)
    document = python_docx.Document()
    for line in _letterhead(plan):
        document.add_paragraph(line)
    document.add_heading(plan.title or SHEET_TITLE, level=1)
    document.add_paragraph(SHEET_TITLE.upper())
    keys = _columns(plan)
    table = document.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, keys):
        _set_text(cell, COLUMN_NAMES[key], bold=True)
    for entry in _rows(plan):
        cells = table.add_row().cells
        if isinstance(entry, ParsedArea):
            _set_text(cells[0], entry.code, bold=True)
            merged = cells[1].merge(cells[-1]) if len(cells) > 2 else cells[1]
            _set_text(merged, entry.title, bold=True)
        else:
            for cell, value in zip(cells, _item_values(entry, keys)):
                _set_text(cell, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _set_text(cell, value: str, *, bold: bool = False) -> None:
    """Cell text with one paragraph per line (newlines in the value)."""
    lines = value.split("\n") if value else [""]
    paragraphs = cell.paragraphs
    first = paragraphs[0]
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    first.text = ""
    for i, line in enumerate(lines):
        para = first if i == 0 else cell.add_paragraph()
        run = para.add_run(line)
        run.bold = bold or None
        run.font.size = Pt(11)


def write_xlsx(plan: ParsedPlan, path: Path | str) -> Path:
    """One sheet "Phụ lục": title and letterhead lines, the header, then the rows."""
    path = Path(path)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    keys = _columns(plan)
    row = 1
    if plan.title:
        ws.cell(row, 1, _safe(plan.title)).font = Font(bold=True, size=13)
        row += 1
    for line in _letterhead(plan):
        ws.cell(row, 1, _safe(line))
        row += 1
    if row > 1:
        row += 1  # blank row before the header
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, key in enumerate(keys, start=1):
        cell = ws.cell(row, col, COLUMN_NAMES[key])
        cell.font = Font(bold=True)
        cell.alignment = wrap
    for entry in _rows(plan):
        row += 1
        if isinstance(entry, ParsedArea):
            ws.cell(row, 1, entry.code).font = Font(bold=True)
            title = ws.cell(row, 2, _safe(entry.title))
            title.font = Font(bold=True)
            if len(keys) > 2:
                ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(keys))
            continue
        for col, value in enumerate(_item_values(entry, keys), start=1):
            if col == 1 and value.isdigit():
                cell = ws.cell(row, col, int(value))
            else:
                cell = ws.cell(row, col, _safe(value))
                if value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
            cell.alignment = wrap
    for col, width in zip(range(1, len(keys) + 1), (6, 60, 28, 28, 24, 30)):
        ws.column_dimensions[get_column_letter(col)].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


def _safe(value: str) -> str:
    """Drop control characters openpyxl refuses to store."""
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n")

"""HTML plans: a saved web page (.html/.htm) whose appendix is a ``<table>``.

Read with the standard library's :mod:`html.parser`. As in a .docx, the appendix
is every table with the appendix header in its first three rows, plus a following
table of the same width whose first row reads as data (a table split per page).
The text outside tables before the appendix is the prose the metadata comes from.

Cells: ``<br>`` and block elements (``<p>``, ``<div>``, ``<li>``) are line breaks,
other whitespace collapses as a browser shows it; ``<script>``/``<style>`` are
skipped. ``colspan`` spreads a cell over columns (the section rows); ``rowspan``
repeats a cell on the rows below, except on a row whose TT cell is itself spanned
from above (that row continues the item above, so its spanned cells read empty).
Rows are numbered 1, 2, ... across the appendix tables ("hàng").

>>> plan = parse_html('<p>Kế hoạch cải cách hành chính xã A năm 2026</p><table>'
...     '<tr><th>TT</th><th>Nội dung</th><th>Cơ quan chủ trì</th><th>Cơ quan phối hợp</th>'
...     '<th>Thời gian hoàn thành</th></tr><tr><td>I</td><td colspan="4">Cải cách thể chế</td></tr>'
...     '<tr><td>1.</td><td>Rà soát<br>văn bản</td><td>Văn phòng</td><td></td><td>Quý I</td></tr>'
...     '</table>', "plan.html")
>>> plan.areas[0].title, plan.items[0].content, plan.unit_name
('Cải cách thể chế', 'Rà soát\\nvăn bản', 'Xã A')
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .metadata import extract_metadata
from .model import NOT_A_PLAN, ImportFormatError, ParsedPlan, clean_cell, header_keys
from .table import TableAssembler
from .text import build_plan, check_text_content

_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "header", "footer", "blockquote", "pre", "dd", "dt", "caption", "hr"}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "math"}
_DATA_START_RE = re.compile(r"[0-9]{1,6}\s*[.)]?|[IVXLCDM]{1,12}(?:[.)\s].*)?", re.DOTALL)
_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
MAX_SPAN = 200
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")


@dataclass
class _Cell:
    parts: list[str] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    prose_before: int = 0  # prose lines written before the table started


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.open: list[_Table] = []
        self.cells: list[_Cell | None] = []  # the open cell of each open table
        self.prose: list[str] = [""]
        self.skip = 0

    def _write(self, text: str) -> None:
        cell = self.cells[-1] if self.cells else None
        if cell is not None:
            cell.parts.append(text)
        elif not self.open:
            self.prose[-1] += text

    def _break(self) -> None:
        self._write("\n")
        if not self.open and self.prose[-1].strip():
            self.prose.append("")

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            self._break()
            table = _Table(prose_before=len(self.prose))
            self.tables.append(table)
            self.open.append(table)
            self.cells.append(None)
        elif tag == "tr" and self.open:
            self.cells[-1] = None
            self.open[-1].rows.append([])
        elif tag in ("td", "th") and self.open:
            table = self.open[-1]
            if not table.rows:
                table.rows.append([])
            values = dict(attrs)
            cell = _Cell(colspan=_span(values.get("colspan")), rowspan=_span(values.get("rowspan")))
            table.rows[-1].append(cell)
            self.cells[-1] = cell
        elif tag == "br":
            self._write("\n")
        elif tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.open:
            self.open.pop()
            self.cells.pop()
            self._break()
        elif tag in ("td", "th", "tr") and self.open:
            self.cells[-1] = None
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data):
        if not self.skip:
            self._write(re.sub(r"\s+", " ", data))


def _span(value: str | None) -> int:
    try:
        return min(max(int(str(value).strip()), 1), MAX_SPAN)
    except (TypeError, ValueError):
        return 1


def _grid(rows: list[list[_Cell]]) -> list[list[tuple[str, bool]]]:
    """(text, spanned-from-above) per grid column; colspan columns after the first read empty."""
    below: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to cover)
    out = []
    for row in rows:
        line: list[tuple[str, bool]] = []
        cells = list(row)
        col = 0
        while cells or any(c >= col for c in below):
            if col in below:
                text, left = below.pop(col)
                if left > 1:
                    below[col] = (text, left - 1)
                line.append((text, True))
            elif cells:
                cell = cells.pop(0)
                text = "".join(cell.parts)
                for k in range(cell.colspan):
                    line.append((text if k == 0 else "", False))
                    if cell.rowspan > 1:
                        below[col + k] = (text if k == 0 else "", cell.rowspan - 1)
                    col += 1
                continue
            else:
                line.append(("", False))
            col += 1
        out.append(line)
    return out


def looks_like_html(data: bytes, suffix: str = "") -> bool:
    """The bytes start like a web page (after a BOM, an XML declaration, comments), or the
    name ends in .html/.htm and the content starts with a tag.

    >>> looks_like_html(b"<!DOCTYPE html><html>"), looks_like_html(b"<b>TT</b> x"), looks_like_html(b"<p>x", ".htm")
    (True, False, True)
    """
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2:].lstrip()
    while head.startswith(b"<!--") and b"-->" in head:
        head = head[head.find(b"-->") + 3:].lstrip()
    return head.startswith(_HTML_STARTS) or (suffix in _HTML_SUFFIXES and head.startswith(b"<"))


def decode_html(data: bytes, source: str) -> str:
    """An HTML file's text: BOM, else UTF-8, else the charset its <meta> names."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET_RE.search(data[:8192])
    try:
        return data.decode(m.group(1).decode("ascii") if m else "cp1258")
    except (LookupError, UnicodeDecodeError):
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: không đọc được bảng mã của trang HTML; hãy lưu lại dưới dạng "
            "UTF-8 (not a valid plan file: unknown HTML encoding)") from None


def parse_html(text: str, source: str = "<html>") -> ParsedPlan:
    """Parse a plan saved as an HTML page."""
    check_text_content(text, source)
    collector = _Collector()
    try:
        collector.feed(text)
        collector.close()
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient; anything else is a broken page
        raise ImportFormatError(source, f"{NOT_A_PLAN}: trang HTML hỏng ({type(exc).__name__}) "
                                "(broken HTML)") from None
    table = TableAssembler(source, row_label="hàng", keep_newlines=True)
    prose_end = len(collector.prose)
    row_no, width = 0, None
    for part in collector.tables:
        grid = _grid(part.rows)
        if not grid:
            continue
        texts = [[clean_cell(t) for t, _ in row] for row in grid]
        starts = any(header_keys(r) is not None for r in texts[:3])
        continues = (table.has_header and len(grid[0]) == width
                     and _looks_like_data(texts[0], table.number_column))
        if not (starts or continues):
            continue
        if width is None:
            width, prose_end = len(grid[0]), part.prose_before
        for row in grid:
            row_no += 1
            col = table.number_column
            spanned_tt = col is not None and col < len(row) and row[col][1]
            table.feed(row_no, ["" if spanned_tt and spanned else text for text, spanned in row])
    if not table.has_header:
        table.finish(" trong các bảng của trang HTML (in the page's tables)")
    prose = [line for chunk in collector.prose[:prose_end] for line in chunk.split("\n")]
    return build_plan(source, extract_metadata(prose), table)


def _looks_like_data(cells: list[str], number_column: int | None) -> bool:
    if number_column is None or number_column >= len(cells) or not any(cells):
        return False
    first = cells[number_column]
    return not first or bool(_DATA_START_RE.fullmatch(first))

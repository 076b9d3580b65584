"""Text PDFs: the appendix grid rebuilt from the positions of its words.

1. Words are grouped into visual lines (same height on the page).
2. The header is the line holding a "TT"/"STT" word, plus the lines directly above
   and below it with nothing in the TT column. Its words, projected on the x axis,
   form one block per column (wrapped header cells overlap horizontally); the block
   texts are the header names.
3. A row starts at a line with an item number ("1", "1.") or a Roman numeral in the
   TT column (cells are top-aligned); it runs to the next row start, across page
   breaks (a row split by a page break continues on the next page). A repeated
   header and lone page numbers at the top or bottom of a page are skipped.
4. Column borders lie in the vertical white space between the columns' words
   (found from the item rows, between the centres of two header blocks). A word
   belongs to the column its left edge is in; section rows ("I  Cải cách thể chế",
   merged across the columns) keep the numeral in TT and the rest as their title.
5. Each cell's lines are joined (:func:`join_wrapped`) and the rows go to the
   :class:`TableAssembler` like any other format's rows.

Item numbers must run without gaps (a gap means rows that were not read). After
the last row, a line reaching into the TT column or a blank space of a line
or more ends the table (what follows, a signature block, is not part of it) when
the text after it is laid out as prose (in the TT column or across a column
border); otherwise it is not clear whether it belongs to the last row, and the
import stops there. A table that cannot be rebuilt gives an ImportFormatError
naming the page and line (or the page and table row).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from dondoc.text import roman_value

from .metadata import extract_metadata
from .model import (
    COL_NUMBER,
    ImportFormatError,
    ParsedPlan,
    classify_header_cell,
    header_keys,
)
from .pdf import Word, pdf_words
from .table import TableAssembler
from .text import build_plan
from .wrapping import join_wrapped

_NUMBER_RE = re.compile(r"\(?[0-9]{1,6}[.)]?")
_ROMAN_RE = re.compile(r"([IVXLCDM]{1,12})[.):]?")
_PAGE_NUMBER_RE = re.compile(r"(?:trang\s*)?[-–]?\s*[0-9]{1,4}\s*[-–]?(?:\s*/\s*[0-9]{1,4})?", re.IGNORECASE)


@dataclass
class Line:
    page: int
    no: int  # 1-based, on its page
    words: list[Word]

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Block:
    """The header words of one column."""

    x0: float
    x1: float
    words: list[Word] = field(default_factory=list)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Row:
    first: Line
    lines: list[Line]
    section: bool
    end: int | None = None  # index in lines where the table may have ended


def parse_pdf(data: bytes, source: str = "<pdf>") -> ParsedPlan:
    """Parse a text PDF plan (its bytes); ImportFormatError on anything unreadable."""
    return _Grid(source, pdf_words(data, source)).plan()


def _group_lines(page: int, words: list[Word], h: float) -> list[Line]:
    groups: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.page, w.yc, w.x0)):
        if groups and w.page == groups[-1][0].page and abs(w.yc - groups[-1][0].yc) <= 0.35 * h:
            groups[-1].append(w)
        else:
            groups.append([w])
    return [Line(page, i, sorted(g, key=lambda w: w.x0)) for i, g in enumerate(groups, start=1)]


def _height(line: Line) -> float:
    return max(w.y1 - w.y0 for w in line.words)


def _text_of(words: list[Word], h: float, limit: float | None = None) -> str:
    """Words of one cell (or header block) in reading order, wrapped lines joined.

    A line holding one word that reaches the column's right limit (``limit``), ends in a
    letter or digit and is followed by a line not starting in lower case is a word too
    long for the column, broken where it hit the edge: it joins the next line without
    a space ("60/2021/N" + "Đ-CP").
    """
    texts: list[str] = []
    full = False
    for line in _group_lines(0, words, h):
        if full and texts and not line.text[:1].islower():
            texts[-1] += line.text
        else:
            texts.append(line.text)
        last = line.words[-1]
        full = (limit is not None and len(line.words) == 1 and last.x1 >= limit - 0.4 * h
                and last.text[-1:].isalnum())
    return join_wrapped(texts)


class _Grid:
    def __init__(self, source: str, pages: list[list[Word]]):
        self.source = source
        heights = sorted(w.y1 - w.y0 for page in pages for w in page)
        self.h = heights[len(heights) // 2] or 10.0
        self.pages = [self._drop_page_numbers(_group_lines(n, words, self.h))
                      for n, words in enumerate(pages, start=1)]

    # -- errors
    def fail(self, line: Line, message: str) -> ImportFormatError:
        return ImportFormatError(self.source, message, row=line.no, row_label=f"trang {line.page}, dòng")

    def _drop_page_numbers(self, lines: list[Line]) -> list[Line]:
        """Lone page numbers ("2", "- 2 -", "Trang 2/9") on the first or last line of a page."""
        drop = set()
        for i in {0, len(lines) - 1}:
            if 0 <= i < len(lines) and _PAGE_NUMBER_RE.fullmatch(lines[i].text) and len(lines) > 1:
                near = lines[1] if i == 0 else lines[-2]
                if abs(near.y0 - lines[i].y0) > 1.5 * self.h:
                    drop.add(i)
        return [line for i, line in enumerate(lines) if i not in drop]

    # -- header
    def _header_at(self, lines: list[Line], index: int,
                   span: tuple[int, int] | None = None) -> tuple[int, int, list[Block]] | None:
        """The header whose TT word is on ``lines[index]``: (first line, last line, blocks).

        ``span`` (lines above and below the TT line) is the first header's, for a header
        repeated after a page break: there the row continued from the page before
        follows the header as closely as its wrapped header cells follow each other.
        """
        line = lines[index]
        first = line.words[0]
        if classify_header_cell(first.text) != COL_NUMBER:
            if len(line.words) < 2 or classify_header_cell(f"{first.text} {line.words[1].text}") != COL_NUMBER:
                return None
            first = line.words[1]
        tt_right = first.x1
        lo = hi = index
        if span is not None:
            lo, hi = index - span[0], index + span[1]
            if lo < 0 or hi >= len(lines):
                return None
        else:
            while hi + 1 < len(lines) and self._header_next(lines[hi], lines[hi + 1], tt_right):
                hi += 1
            while lo > 0 and self._header_next(lines[lo], lines[lo - 1], tt_right, up=True):
                lo -= 1
        words = sorted((w for line in lines[lo:hi + 1] for w in line.words), key=lambda w: w.x0)
        blocks: list[Block] = []
        for w in words:
            if blocks and w.x0 <= blocks[-1].x1 + 0.45 * self.h:
                blocks[-1].x1 = max(blocks[-1].x1, w.x1)
                blocks[-1].words.append(w)
            else:
                blocks.append(Block(w.x0, w.x1, [w]))
        names = [_text_of(b.words, self.h) for b in blocks]
        found = header_keys(names)
        if found is None or found[0] != 0:
            return None
        return lo, hi, blocks

    def _header_next(self, line: Line, other: Line, tt_right: float, up: bool = False) -> bool:
        gap = line.y0 - other.y1 if up else other.y0 - line.y1
        return gap <= 0.6 * self.h and all(w.x0 >= tt_right for w in other.words)

    def _find_header(self) -> tuple[int, int, int, int, list[Block]] | None:
        """(page index, TT line index, first line, last line, blocks) of the first header."""
        for p, lines in enumerate(self.pages):
            for i in range(len(lines)):
                found = self._header_at(lines, i)
                if found is not None:
                    return (p, i, *found)
        return None

    # -- the table
    def plan(self) -> ParsedPlan:
        table = TableAssembler(self.source, row_label="hàng", keep_newlines=True)
        found = self._find_header()
        if found is None:
            table.finish(" trong tệp PDF (in the PDF)")  # raises: no header
        page, tt_line, lo, hi, blocks = found
        names = [_text_of(b.words, self.h) for b in blocks]
        keys = header_keys(names)
        prose = self._prose([line for lines in self.pages[:page] for line in lines]
                            + self.pages[page][:lo])
        body = self._body(page, hi, keys, (tt_line - lo, hi - tt_line))
        bounds = [(a.x1 + b.x0) / 2 for a, b in itertools.pairwise(blocks)]
        rows = self._rows(body, bounds)
        bounds = self._refine(rows, blocks, bounds)
        rows = self._rows(body, bounds, final=True)
        self.limits = self._limits(rows, bounds, len(blocks))
        where: dict[int, Line] = {1: self.pages[page][lo]}
        try:
            table.feed(1, names)
            for row_no, row in enumerate(rows, start=2):
                where[row_no] = row.first
                table.feed(row_no, self._cells(row, bounds, len(blocks)))
            plan = build_plan(self.source, extract_metadata(prose), table)
            _check_sequence(plan, table)
        except ImportFormatError as err:
            line = where.get(err.row) if err.row is not None else None
            if line is None:
                raise
            raise ImportFormatError(self.source, err.detail, row=err.row, column=err.column,
                                    column_index=err.column_index,
                                    row_label=f"trang {line.page}, hàng") from None
        return plan

    def _prose(self, lines: list[Line]) -> list[str]:
        """Prose lines before the table; lines of one paragraph (tightly spaced) joined."""
        out: list[str] = []
        previous: Line | None = None
        for line in lines:
            if (previous is not None and previous.page == line.page and out
                    and line.y0 - previous.y1 < 0.3 * self.h
                    and abs(_height(line) - _height(previous)) < 0.1 * _height(line)):
                out[-1] = join_wrapped([out[-1], line.text])
            else:
                if previous is not None and line.y0 - previous.y1 > 0.6 * self.h:
                    out.append("")
                out.append(line.text)
            previous = line
        return out

    def _body(self, page: int, header_end: int, keys, span: tuple[int, int]) -> list[Line]:
        """Lines after the header, repeated headers (after page breaks) left out."""
        body = list(self.pages[page][header_end + 1:])
        for lines in self.pages[page + 1:]:
            i = 0
            while i < len(lines):
                again = self._header_at(lines, i + span[0], span) if i + span[0] < len(lines) else None
                if again is None:
                    body.append(lines[i])
                    i += 1
                    continue
                names = [_text_of(b.words, self.h) for b in again[2]]
                if header_keys(names) != keys:
                    raise self.fail(lines[i], "dòng tiêu đề lặp lại có các cột khác với tiêu đề đầu tiên "
                                    "(repeated header row has different columns)")
                i = again[1] + 1
        return body

    def _rows(self, body: list[Line], bounds: list[float], final: bool = False) -> list[Row]:
        rows: list[Row] = []
        previous: Line | None = None
        for line in body:
            tt = [w for w in line.words if w.x0 < bounds[0]]
            kind = _row_start(tt[0].text) if tt and tt[0] is line.words[0] else None
            if kind is not None:
                rows.append(Row(line, [line], kind == "section"))
            elif not rows:
                raise self.fail(line, f"chữ “{line.text[:40]}” nằm giữa dòng tiêu đề và mục đầu tiên "
                                "của bảng phụ lục, không biết thuộc hàng nào (text between the header "
                                "and the first row)")
            else:
                row = rows[-1]
                gap = previous is not None and previous.page == line.page and (
                    line.y0 - previous.y1 > 1.0 * self.h)
                if row.end is None and ((tt and not row.section) or gap):
                    row.end = len(row.lines)
                row.lines.append(line)
            previous = line
        if rows and rows[-1].end is not None:  # the text after the table?
            last = rows[-1]
            tail = [w for line in last.lines[last.end:] for w in line.words]
            prose_like = any(w.x0 < bounds[0] or any(w.x0 < b < w.x1 for b in bounds) for w in tail)
            if final and not prose_like:
                raise self.fail(last.lines[last.end], "không rõ chữ ở dòng này (sau một khoảng trống) "
                                "thuộc mục cuối của bảng hay là văn bản sau bảng (text after a blank "
                                "space below the last row)")
            last.lines = last.lines[:last.end]
        return rows

    def _refine(self, rows: list[Row], blocks: list[Block], bounds: list[float]) -> list[float]:
        """Move each column border into the white space between the item rows' words."""
        spans = sorted((w.x0, w.x1) for row in rows if not row.section
                       for line in row.lines for w in line.words)
        refined = []
        for k, (left, right) in enumerate(itertools.pairwise(blocks)):
            lo, hi = left.centre, right.centre
            gaps, reach = [], lo
            for x0, x1 in spans:
                if x1 <= lo or x0 >= hi:
                    continue
                if x0 > reach:
                    gaps.append((reach, x0))
                reach = max(reach, x1)
            if reach < hi:
                gaps.append((reach, hi))
            if not gaps:
                raise ImportFormatError(
                    self.source, f"không tách được cột {k + 1} và cột {k + 2} của bảng trong tệp PDF: "
                    "chữ của hai cột chồng lên nhau; hãy dùng bản .docx hoặc .xlsx (PDF columns overlap)")
            inside = [g for g in gaps if g[0] <= bounds[k] <= g[1]]
            best = inside[0] if inside else max(gaps, key=lambda g: g[1] - g[0])
            refined.append((best[0] + best[1]) / 2)
        return refined

    def _limits(self, rows: list[Row], bounds: list[float], width: int) -> list[float | None]:
        """The right edge of the text in each column (the widest line of the item rows)."""
        limits: list[float | None] = [None] * width
        for row in rows:
            if row.section:
                continue
            for line in row.lines:
                for w in line.words:
                    k = bisect.bisect_right(bounds, w.x0)
                    limits[k] = max(limits[k] or w.x1, w.x1)
        return limits

    def _cells(self, row: Row, bounds: list[float], width: int) -> list[str]:
        columns: list[list[Word]] = [[] for _ in range(width)]
        for line in row.lines:
            for w in line.words:
                columns[bisect.bisect_right(bounds, w.x0)].append(w)
        if row.section:
            rest = [w for ws in columns[1:] for w in ws]
            return [_text_of(columns[0], self.h), _text_of(rest, self.h)] + [""] * (width - 2)
        return [_text_of(ws, self.h, limit) for ws, limit in zip(columns, self.limits)]


def _row_start(text: str) -> str | None:
    """ "item" for "1", "1.", "(1)"; "section" for a Roman numeral ("I", "II."); else None."""
    if _NUMBER_RE.fullmatch(text):
        return "item"
    m = _ROMAN_RE.fullmatch(text)
    if m and roman_value(m.group(1)):
        return "section"
    return None


def _check_sequence(plan: ParsedPlan, table: TableAssembler) -> None:
    """Item numbers must run without gaps: a gap in a PDF means rows that were not read."""
    numbers = [int(item.number) for item in plan.items]
    expected = list(range(numbers[0], numbers[0] + len(numbers)))
    if numbers != expected:
        missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        shown = ", ".join(map(str, missing[:10])) + ("…" if len(missing) > 10 else "")
        after = next(item for item in plan.items if int(item.number) > missing[0])
        raise table.error(
            f"thiếu mục {shown} giữa các mục của bảng; có thể một phần tệp PDF không đọc được "
            "chữ — hãy dùng bản .docx hoặc .xlsx (item numbers have a gap)", after.source_row)

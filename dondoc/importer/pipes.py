"""Pipe tables: the appendix as a Markdown table, or pasted from a web page with "|" between cells.

>>> plan = parse_pipes("Kế hoạch cải cách hành chính xã A năm 2026\\n"
...     "| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |\\n"
...     "|---|---|---|---|---|\\n"
...     "| **I** | **Cải cách thể chế** | | | |\\n"
...     "| 1. | Rà soát văn bản \\\\| quy chế | Văn phòng | | - Quý I<br>- Quý III |\\n")
>>> item = plan.items[0]
>>> item.content, item.deadline
('Rà soát văn bản | quy chế', '- Quý I\\n- Quý III')

The header row is the first row whose cells name the appendix columns; the
"|---|:---:|" separator row is optional. Leading and trailing pipes are optional
(as the header has them, so do the rows). ``\\|`` is a pipe inside a cell, ``<br>``
a line break; a cell wrapped whole in ``**`` or ``__`` is unwrapped, and the HTML
entities a web page may leave (``&amp;``, ``&#124;``) are decoded. Lines without a
pipe are prose (the metadata before the table).
"""

from __future__ import annotations

import html
import re

from .metadata import extract_metadata
from .model import ImportFormatError, ParsedPlan, header_keys
from .table import TableAssembler
from .text import build_plan, check_text_content

_SEPARATOR_RE = re.compile(r"\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_)(\S(?:.*\S)?)\1", re.DOTALL)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);")


def split_pipe_row(line: str, bordered: bool | None = None) -> list[str] | None:
    """The raw cells of a pipe-table line (``None`` when it has no unescaped pipe).

    ``bordered``: whether rows start and end with a pipe; ``None`` decides per line.

    >>> split_pipe_row("| a | b \\\\| c |")
    [' a ', ' b | c ']
    >>> split_pipe_row("a | b", bordered=False)
    ['a ', ' b']
    """
    cells, current, i = [], [], 0
    text = line.strip()
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == "|":
            current.append("|")
            i += 2
            continue
        if ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    cells.append("".join(current))
    if len(cells) < 2:
        return None
    starts = text.startswith("|") if bordered is None else bordered
    ends = (text.endswith("|") and not text.endswith("\\|")) if bordered is None else bordered
    if starts and cells and not cells[0].strip():
        cells = cells[1:]
    if ends and cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _cell(raw: str) -> str:
    text = _BR_RE.sub("\n", raw).strip()
    text = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)
    m = _EMPHASIS_RE.fullmatch(text)
    if m:
        text = m.group(2)
    return text


def find_pipe_header(lines: list[str]) -> int | None:
    """Index of the first pipe-table line that is the appendix header."""
    for i, line in enumerate(lines):
        if "|" not in line:
            continue
        cells = split_pipe_row(line)
        if cells and (found := header_keys([_cell(c) for c in cells])) is not None and found[0] == 0:
            return i
    return None


def parse_pipes(text: str, source: str = "<text>") -> ParsedPlan:
    """Parse a plan whose appendix is a pipe (Markdown) table."""
    if not isinstance(text, str):
        raise ImportFormatError(source, "không phải văn bản (expected text)")
    check_text_content(text, source)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = find_pipe_header(lines)
    table = TableAssembler(source, keep_newlines=True)
    if header is None:
        table.finish(" trong bảng kẻ “|” (in the pipe table)")  # raises: no header
    bordered = lines[header].strip().startswith("|")
    for line_no, line in enumerate(lines[header:], start=header + 1):
        if "|" not in line or _SEPARATOR_RE.fullmatch(line):
            continue
        cells = split_pipe_row(line, bordered)
        if cells is not None:
            table.feed(line_no, [_cell(c) for c in cells])
    return build_plan(source, extract_metadata(lines[:header]), table)

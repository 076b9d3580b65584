"""Which shape a text plan's appendix has, decided by content.

* TAB-separated rows (the reference text format, :mod:`dondoc.importer.text`);
* a pipe / Markdown table ("| TT | Nội dung | ... |", :mod:`dondoc.importer.pipes`);
* an HTML ``<table>`` inside the text (:mod:`dondoc.importer.htmltable`);
* one cell per line, as copied from a PDF viewer (:mod:`dondoc.importer.cells`).

The shape whose appendix header comes first in the text wins (TAB on a tie); a
text with no recognisable header goes to the TAB parser, whose error says so.

>>> text_shape("Lời mở đầu\\n| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn |")
'pipes'
>>> text_shape("TT\\nNội dung\\nCơ quan chủ trì\\nCơ quan phối hợp\\nThời gian hoàn thành\\n1.")
'cells'
>>> text_shape("TT\\tNội dung\\tCơ quan chủ trì\\tCơ quan phối hợp\\tThời gian hoàn thành")
'tab'
"""

from __future__ import annotations

import re

from .cells import find_cells_header, parse_cells
from .htmltable import parse_html
from .model import ParsedPlan, header_keys
from .pipes import find_pipe_header, parse_pipes
from .text import parse_text

_TABLE_TAG_RE = re.compile(r"<table\b", re.IGNORECASE)


def _tab_header(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if "\t" in line:
            found = header_keys([c.strip() for c in line.split("\t")])
            if found is not None:
                return i
    return None


def text_shape(text: str) -> str:
    """ "tab", "pipes", "html" or "cells"."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tab = _tab_header(lines)
    before = lines if tab is None else lines[:tab]  # another shape wins only by coming first
    found: dict[str, int] = {}
    pipes = find_pipe_header(before)
    if pipes is not None:
        found["pipes"] = pipes
    table = _TABLE_TAG_RE.search("\n".join(before))
    if table is not None:
        found["html"] = text.count("\n", 0, table.start())
    cells = find_cells_header(before)
    if cells is not None:
        found["cells"] = cells[0]
    if not found:
        return "tab"
    return min(found, key=lambda shape: found[shape])


def parse_text_plan(text: str, source: str = "<text>") -> ParsedPlan:
    """Parse a text plan of any shape."""
    shape = text_shape(text)
    if shape == "pipes":
        return parse_pipes(text, source)
    if shape == "html":
        return parse_html(text, source)
    if shape == "cells":
        return parse_cells(text, source)
    return parse_text(text, source)

"""Plan-file parsers: a plan file in, a typed :class:`ParsedPlan` out (no database).

Formats: text (the appendix as TAB-separated rows), Word (.docx) and Excel
(.xlsx). :func:`parse_plan_file` picks the parser by content. Bad input only
ever raises :class:`ImportFormatError`, whose message names the file, row and
column.
"""

from .detect import parse_plan_file, unpacks_too_large
from .docx import parse_docx
from .model import (
    MAX_CELL_CHARS,
    ImportFormatError,
    ParsedArea,
    ParsedItem,
    ParsedPlan,
)
from .text import parse_text
from .writers import write_docx, write_xlsx
from .xlsx import parse_xlsx

__all__ = [
    "unpacks_too_large",
    "MAX_CELL_CHARS",
    "ImportFormatError",
    "ParsedArea",
    "ParsedItem",
    "ParsedPlan",
    "parse_docx",
    "parse_plan_file",
    "parse_text",
    "parse_xlsx",
    "write_docx",
    "write_xlsx",
]

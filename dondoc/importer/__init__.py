"""Plan-file parsers: a plan file in, a typed :class:`ParsedPlan` out (no database).

Formats: text (the appendix as TAB-separated rows, a pipe/Markdown table, an
HTML table, or one cell per line as copied from a PDF viewer), Word (.docx, and
legacy .doc through LibreOffice), Excel (.xlsx), web pages (.html/.htm) and text
PDFs (through poppler's pdftotext). :func:`parse_plan_file` picks the parser by
content. Bad input only ever raises :class:`ImportFormatError`, whose message
names the file, row and column.
"""

from .cells import parse_cells
from .detect import parse_plan_file, unpacks_too_large
from .docx import parse_docx
from .htmltable import parse_html
from .model import (
    MAX_CELL_CHARS,
    ImportFormatError,
    ParsedArea,
    ParsedItem,
    ParsedPlan,
)
from .pdfgrid import parse_pdf
from .pipes import parse_pipes
from .shapes import parse_text_plan
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
    "parse_cells",
    "parse_docx",
    "parse_html",
    "parse_pdf",
    "parse_pipes",
    "parse_plan_file",
    "parse_text",
    "parse_text_plan",
    "parse_xlsx",
    "write_docx",
    "write_xlsx",
]

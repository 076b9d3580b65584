"""Typed result of parsing a plan file, and the one error type parsers raise.

Every parser (text, .docx, .xlsx) returns a :class:`ParsedPlan` or raises
:class:`ImportFormatError`; nothing else escapes for bad input. The column
vocabulary and :func:`clean_cell` (the normal form of every text value in a
ParsedPlan) live here too.

>>> err = ImportFormatError("plan.txt", "thiếu thời hạn (missing deadline)",
...                         row=12, column="Thời gian hoàn thành", column_index=5)
>>> str(err)
'Tệp plan.txt, dòng 12, cột 5 (Thời gian hoàn thành): thiếu thời hạn (missing deadline).'
>>> err.row, err.column
(12, 'Thời gian hoàn thành')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from dondoc.text import fold as fold_accents

MAX_CELL_CHARS = 20_000
"""A table cell longer than this is rejected (the error names row and column)."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Files larger than this are rejected before parsing."""

# Canonical column keys and their Vietnamese header names (as used in messages
# and written by the writers).
COL_NUMBER = "number"
COL_CONTENT = "content"
COL_LEAD = "lead"
COL_COOPERATING = "cooperating"
COL_DEADLINE = "deadline"
COL_PRODUCT = "product"
COL_IGNORED = "ignored"  # a known column we do not keep ("Ghi chú")

COLUMN_NAMES: dict[str, str] = {
    COL_NUMBER: "TT",
    COL_CONTENT: "Nội dung thực hiện",
    COL_LEAD: "Cơ quan chủ trì",
    COL_COOPERATING: "Cơ quan phối hợp",
    COL_DEADLINE: "Thời gian hoàn thành",
    COL_PRODUCT: "Sản phẩm",
}


# ---------------------------------------------------------------- cell values
# Every text value in a ParsedPlan went through clean_cell.

_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,20}(?:\s[^<>]{0,500})?/?>")
_SPACE_RE = re.compile(r"[^\S\n]+")
_INVISIBLE_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")


def clean_cell(value: str, *, keep_newlines: bool = False) -> str:
    """NFC, tags stripped, whitespace collapsed; newlines kept only on request.

    >>> clean_cell("<b>Cải  cách</b>\\u00a0thể chế ")
    'Cải cách thể chế'
    >>> clean_cell(" - Kế hoạch\\n\\n - Báo cáo ", keep_newlines=True)
    '- Kế hoạch\\n- Báo cáo'
    """
    if not value:
        return ""
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", value))
    if "<" in text:
        text = _TAG_RE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not keep_newlines:
        return " ".join(text.split())
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fold(value: str) -> str:
    """Lower case without Vietnamese diacritics and with single spaces, for matching names.

    >>> fold("Thời gian HOÀN THÀNH"), fold("Đơn vị")
    ('thoi gian hoan thanh', 'don vi')
    """
    return " ".join(fold_accents(value).split())


def title_case(value: str) -> str:
    """Capitalise each word (Vietnamese-safe: works on NFC text).

    >>> title_case("XÃ NGỌC LIÊN")
    'Xã Ngọc Liên'
    """
    words = unicodedata.normalize("NFC", value).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


# ---------------------------------------------------------------- header names


def classify_header_cell(cell: str) -> str | None:
    """Map one header cell to a column key (``None`` when not a header name)."""
    if not cell or len(cell) > 80:
        return None
    f = fold(cell).strip(" .:*")
    if not f or len(f) > 60:
        return None
    if f in {"tt", "stt", "so tt", "so thu tu"}:
        return COL_NUMBER
    if f.startswith(("noi dung", "nhiem vu", "ten nhiem vu")):
        return COL_CONTENT
    if "chu tri" in f:
        return COL_LEAD
    if "phoi hop" in f:
        return COL_COOPERATING
    if "thoi gian" in f or "thoi han" in f:
        return COL_DEADLINE
    if "san pham" in f or f.startswith("ket qua"):
        return COL_PRODUCT
    if f.startswith("ghi chu"):
        return COL_IGNORED
    return None


def header_keys(cells: Sequence[str]) -> tuple[int, list[str | None]] | None:
    """Recognise an appendix header row; return (offset, keys) or ``None``.

    ``offset`` is the index of the first non-empty cell; ``keys`` holds one
    column key (or ``None`` for an unrecognised/empty cell) per cell from there.

    >>> header_keys(["STT", "Nội dung công việc", "Cơ quan chủ trì"])[1]
    ['number', 'content', 'lead']
    >>> header_keys(["1.", "Nội dung", "Cơ quan chủ trì"]) is None
    True
    """
    offset = 0
    while offset < len(cells) and not cells[offset]:
        offset += 1
    if offset >= len(cells):
        return None
    if classify_header_cell(cells[offset]) is None:  # fast path for data rows
        return None
    keys = [classify_header_cell(c) for c in cells[offset:]]
    while keys and keys[-1] is None and not cells[offset + len(keys) - 1]:
        keys.pop()
    recognised = sum(1 for k in keys if k)
    if keys[0] == COL_NUMBER and recognised >= 2:
        return offset, keys
    if keys[0] is not None and recognised >= 3 and COL_CONTENT in keys:
        return offset, keys  # header missing its TT column: reported by the assembler
    return None


@dataclass
class ParsedArea:
    """A section row of the appendix ("I", "Cải cách thể chế")."""

    code: str
    title: str
    position: int


@dataclass
class ParsedItem:
    """One numbered row of the appendix (continuation rows already merged)."""

    number: str
    area_code: str | None
    content: str
    lead: str
    cooperating: str
    deadline: str
    product: str | None
    source_row: int
    position: int


@dataclass
class ParsedPlan:
    """A whole plan: metadata from the prose before the table, then the table."""

    source: str
    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    unit_name: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    areas: list[ParsedArea] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    has_product_column: bool = False


NOT_A_PLAN = "không phải tệp kế hoạch hợp lệ"


class ImportFormatError(ValueError):
    """A plan file cannot be read as a plan.

    ``str(err)`` is a complete sentence naming the file and, where known, the
    row and the column (by its Vietnamese header name). ``detail`` is the bare
    reason without the location prefix.
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        column_index: int | None = None,
        row_label: str = "dòng",
    ) -> None:
        self.file = file
        self.detail = message
        self.row = row
        self.column = column
        self.column_index = column_index
        self.row_label = row_label
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = [f"Tệp {self.file}"]
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column is not None or self.column_index is not None:
            col = "cột"
            if self.column_index is not None:
                col += f" {self.column_index}"
            if self.column is not None:
                col += f" ({self.column})"
            where.append(col)
        text = ", ".join(where) + ": " + self.detail
        if not text.endswith((".", "!", "?")):
            text += "."
        return text

    def __reduce__(self):  # keep pickling (e.g. across Prefect workers) working
        return (
            _rebuild_error,
            (self.file, self.detail, self.row, self.column, self.column_index, self.row_label),
        )


def _rebuild_error(file, message, row, column, column_index, row_label):
    return ImportFormatError(
        file, message, row=row, column=column, column_index=column_index, row_label=row_label
    )

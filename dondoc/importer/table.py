"""The appendix table every format shares: rows of cells in, areas and items out.

The text, .docx and .xlsx parsers turn their tables into the same (row number,
cells) rows and feed them to :class:`TableAssembler`, which finds the header,
the areas (Roman numerals) and the items, and says what is wrong with a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dondoc.text import roman_value

from .model import (
    COL_CONTENT,
    COL_COOPERATING,
    COL_DEADLINE,
    COL_IGNORED,
    COL_LEAD,
    COL_NUMBER,
    COL_PRODUCT,
    COLUMN_NAMES,
    MAX_CELL_CHARS,
    ImportFormatError,
    ParsedArea,
    ParsedItem,
    classify_header_cell,
    clean_cell,
    header_keys,
)

_REQUIRED = (COL_NUMBER, COL_CONTENT, COL_LEAD, COL_COOPERATING, COL_DEADLINE)
_TEXT_KEYS = (COL_CONTENT, COL_LEAD, COL_COOPERATING, COL_DEADLINE, COL_PRODUCT)

# ---------------------------------------------------------------- row patterns

_SECTION_IN_CELL_RE = re.compile(r"([IVXLCDM]{1,12})(?:\s*[.):\-–]\s*|\s+)(\S.*)", re.S)
_SECTION_CODE_RE = re.compile(r"([IVXLCDM]{1,12})\s*[.)]?")
_ITEM_NUMBER_RE = re.compile(r"([0-9]{1,6})\s*[.)]?")
_COLUMN_NUMBERS_RE = re.compile(r"\(?([0-9]{1,2})\)?")


def _short(value: str, limit: int = 40) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---------------------------------------------------------------- assembler


@dataclass
class _OpenItem:
    number: str
    area_code: str | None
    parts: dict[str, list[str]]
    source_row: int
    short_row: bool


class TableAssembler:
    """Turns appendix rows, in order, into areas and items.

    Rows before the first header row are ignored. The header is one row, or a
    row plus a sub-header row ("Cơ quan thực hiện" over "Chủ trì", "Phối hợp");
    repeats of it (page breaks) are skipped. A row with an empty TT cell
    continues the previous item. ``keep_newlines`` keeps paragraph breaks inside
    cells (.docx/.xlsx); the text format has one line per row.
    """

    def __init__(self, source: str, *, row_label: str = "dòng", keep_newlines: bool = False):
        self.source = source
        self.row_label = row_label
        self.keep_newlines = keep_newlines
        self.header_row: int | None = None
        self.offset = 0
        self.keys: list[str | None] = []
        self.areas: list[ParsedArea] = []
        self.items: list[ParsedItem] = []
        self._area_values: dict[str, int] = {}
        self._numbers: dict[int, int] = {}  # item number -> source row
        self._open: _OpenItem | None = None
        self._last_kind: str | None = None  # "item" or "section"
        self._num_idx = self._content_idx = 0
        self._pending: tuple | None = None  # an incomplete header row awaiting its sub-header
        self._header_variants: list[list[str | None]] = []
        self._expect_sub = False
        self._last_number = 0

    # -- errors
    def error(self, message: str, row: int | None = None, key: str | None = None,
              index: int | None = None) -> ImportFormatError:
        column = COLUMN_NAMES.get(key) if key else None
        if key and index is None and key in self.keys:
            index = self.offset + self.keys.index(key) + 1
        return ImportFormatError(self.source, message, row=row, column=column,
                                 column_index=index, row_label=self.row_label)

    @property
    def has_header(self) -> bool:
        return self.header_row is not None

    @property
    def number_column(self) -> int | None:
        """0-based index (in the fed rows) of the TT column, once the header is known."""
        return None if self.header_row is None else self.offset + self._num_idx

    @property
    def has_product_column(self) -> bool:
        return COL_PRODUCT in self.keys

    # -- feeding
    def feed(self, row_no: int, raw_cells: Sequence[str | None]) -> None:
        for i, raw in enumerate(raw_cells):
            if raw is not None and len(raw) > MAX_CELL_CHARS:
                pos = i - self.offset
                key = self.keys[pos] if 0 <= pos < len(self.keys) else None
                raise self.error(
                    f"ô dài {len(raw):,} ký tự, vượt giới hạn {MAX_CELL_CHARS:,} "
                    f"(cell has {len(raw):,} characters, limit {MAX_CELL_CHARS:,})",
                    row_no, key, i + 1)
        cells = [clean_cell(c or "", keep_newlines=self.keep_newlines) for c in raw_cells]
        if not any(cells):
            return
        found = header_keys(cells)
        if self.header_row is None:
            self._find_header(row_no, cells, found)
        elif not self._repeated_header(row_no, cells, found):
            self._data_row(row_no, cells)

    # -- header rows: one row, or a row plus a sub-header row ("Cơ quan thực hiện"
    #    over "Chủ trì" | "Phối hợp"); both may repeat after page breaks
    def _find_header(self, row_no: int, cells: list[str], found) -> None:
        if self._pending is None:
            if found is None:
                return  # prose or other rows before the table
            offset, keys = found
            names = cells[offset:offset + len(keys)]
            problem = self._header_problem(row_no, offset, keys, names)
            if problem is None:
                self._set_header(row_no, offset, keys, [keys])
            else:
                self._pending = (row_no, offset, keys, names, problem)
            return
        first_row, offset, keys, names, problem = self._pending
        self._pending = None
        sub = _sub_header_keys(cells, offset, len(keys))
        if sub is None:
            raise problem
        merged = _trim([b or a for a, b in zip(keys, sub)])
        sub_names = cells[offset:offset + len(keys)]
        names = [b or a for a, b in zip(names, sub_names)]
        problem = self._header_problem(first_row, offset, merged, names)
        if problem is not None:
            raise problem
        self._set_header(first_row, offset, merged, [keys, _trim(sub)])

    def _header_problem(self, row_no: int, offset: int, keys: list[str | None],
                        names: list[str]) -> ImportFormatError | None:
        seen: set[str] = set()
        for pos, key in enumerate(keys):
            where = {"row": row_no, "column_index": offset + pos + 1, "row_label": self.row_label}
            if key is None and pos < len(names) and names[pos]:
                return ImportFormatError(
                    self.source, f"cột “{_short(names[pos])}” không thuộc bảng phụ lục; các "
                    "cột được nhận là TT, Nội dung thực hiện, Cơ quan chủ trì, Cơ quan phối hợp, "
                    "Thời gian hoàn thành, Sản phẩm, Ghi chú (unknown column)", **where)
            if key in seen and key != COL_IGNORED:
                return ImportFormatError(
                    self.source, f"cột {COLUMN_NAMES[key]} xuất hiện hai lần (column appears "
                    "twice)", column=COLUMN_NAMES[key], **where)
            if key is not None:
                seen.add(key)
        missing = [COLUMN_NAMES[k] for k in _REQUIRED if k not in seen]
        if missing:
            return ImportFormatError(
                self.source, "bảng phụ lục thiếu cột " + ", ".join(missing)
                + "; cần các cột TT, Nội dung thực hiện, Cơ quan chủ trì, Cơ quan phối hợp, "
                "Thời gian hoàn thành (và tùy chọn Sản phẩm) (appendix header is missing "
                "required columns)", row=row_no, row_label=self.row_label)
        return None

    def _set_header(self, row_no: int, offset: int, keys: list[str | None],
                    variants: list[list[str | None]]) -> None:
        self.header_row, self.offset, self.keys = row_no, offset, keys
        self._header_variants = variants
        self._num_idx = keys.index(COL_NUMBER)
        self._content_idx = keys.index(COL_CONTENT)

    def _repeated_header(self, row_no: int, cells: list[str], found) -> bool:
        """Skip the header (row or rows) repeated after a page break."""
        expect_sub, self._expect_sub = self._expect_sub, False
        if found is None:
            if not expect_sub:
                return False
            sub = _sub_header_keys(cells, self.offset, len(self.keys))
            return sub is not None and all(k in (None, self.keys[i]) for i, k in enumerate(sub))
        offset, keys = found
        if offset == self.offset and (keys == self.keys or keys in self._header_variants):
            self._expect_sub = len(self._header_variants) > 1 and keys == self._header_variants[0]
            return True
        raise self.error(
            "dòng tiêu đề lặp lại có các cột khác với tiêu đề đầu tiên "
            f"({self.row_label} {self.header_row}) (repeated header row has different "
            "columns)", row_no)

    def _data_row(self, row_no: int, cells: list[str]) -> None:
        width = len(self.keys)
        lead_extra = [c for c in cells[: self.offset] if c]
        row = cells[self.offset:]
        extra = [c for c in row[width:] if c]
        if extra or lead_extra:
            raise self.error(
                f"dòng có {len(row) + self.offset} ô có dữ liệu ngoài {width} cột của tiêu đề "
                f"(row has data outside the {width} header columns)", row_no)
        short = len(row) < width
        row = row[:width] + [""] * (width - len(row))
        for i, key in enumerate(self.keys):
            if key is None and row[i]:
                raise self.error(f"ô “{_short(row[i])}” nằm ở cột không có tên tiêu đề "
                                 "(data in a column without a header)", row_no, None,
                                 self.offset + i + 1)
        if _is_column_number_row(row):
            return
        values = {k: row[i] for i, k in enumerate(self.keys) if k and k != COL_IGNORED}
        first = values[COL_NUMBER]
        if not first:
            self._continuation(row_no, values)
            return
        section = self._section_of(row)
        if section is not None:
            self._section(row_no, row, *section)
            return
        m = _ITEM_NUMBER_RE.fullmatch(first)
        if m is None:
            raise self.error(
                f"không nhận ra số thứ tự “{_short(first)}”; cần số mục như “1.” hoặc "
                "mục lớn như “I” (unrecognised TT cell: expected an item number or a "
                "Roman-numeral section)", row_no, COL_NUMBER)
        self._item(row_no, int(m.group(1)), values, short)

    def _section_of(self, row: list[str]) -> tuple[str, str] | None:
        first = row[self._num_idx]
        m = _SECTION_CODE_RE.fullmatch(first)
        if m and roman_value(m.group(1)):
            return m.group(1), row[self._content_idx]
        m = _SECTION_IN_CELL_RE.fullmatch(first)
        if m and roman_value(m.group(1)):
            return m.group(1), m.group(2).strip()
        return None

    def _section(self, row_no: int, row: list[str], code: str, title: str) -> None:
        first = row[self._num_idx]
        for i, cell in enumerate(row):
            if cell and cell not in (first, title, code) and self.keys[i] != COL_IGNORED:
                raise self.error(
                    f"dòng mục lớn {code} có dữ liệu “{_short(cell)}” ở cột khác "
                    "(section row has data in another column)", row_no, self.keys[i],
                    self.offset + i + 1)
        if not title:
            raise self.error(f"mục lớn {code} thiếu tên (section row has no title)", row_no)
        value = roman_value(code) or 0
        if code in self._area_values:
            raise self.error(f"trùng mục lớn {code} (duplicate section)", row_no, COL_NUMBER)
        if self.areas and value < self._area_values[self.areas[-1].code]:
            raise self.error(
                f"mục lớn {code} đứng sau mục lớn {self.areas[-1].code} "
                "(sections must be in increasing order)", row_no, COL_NUMBER)
        self._close()
        self._area_values[code] = value
        self.areas.append(ParsedArea(code=code, title=title, position=len(self.areas) + 1))
        self._last_kind = "section"

    def _item(self, row_no: int, value: int, values: dict[str, str], short: bool) -> None:
        if value in self._numbers:
            raise self.error(
                f"trùng số thứ tự {value}, đã có ở {self.row_label} {self._numbers[value]} "
                "(duplicate item number)", row_no, COL_NUMBER)
        if self._numbers and value < self._last_number:
            raise self.error(
                f"số thứ tự {value} nhỏ hơn số trước đó {self._last_number}; "
                "số thứ tự phải tăng dần (item numbers must increase)", row_no, COL_NUMBER)
        self._close()
        self._numbers[value] = row_no
        self._last_number = value
        parts = {k: [values[k]] if values.get(k) else [] for k in _TEXT_KEYS}
        area = self.areas[-1].code if self.areas else None
        self._open = _OpenItem(str(value), area, parts, row_no, short)
        self._last_kind = "item"

    def _continuation(self, row_no: int, values: dict[str, str]) -> None:
        if self._open is None or self._last_kind != "item":
            where = "sau dòng mục lớn" if self._last_kind == "section" else "trước mục đầu tiên"
            raise self.error(
                f"dòng tiếp nối (cột TT trống) {where}, không có nhiệm vụ nào để nối vào "
                "(continuation row with an empty TT cell has no previous item)", row_no,
                COL_NUMBER)
        for key in _TEXT_KEYS:
            if values.get(key):
                self._open.parts[key].append(values[key])

    def _close(self) -> None:
        item, self._open = self._open, None
        if item is None:
            return
        text = {k: " ".join(v) for k, v in item.parts.items()}
        hint, en_hint = (("; dòng có ít ô hơn số cột của tiêu đề",
                          "; the row has fewer cells than the header") if item.short_row else ("", ""))
        for key, vn, en in ((COL_CONTENT, "nội dung", "content"),
                            (COL_LEAD, "cơ quan chủ trì", "lead office"),
                            (COL_DEADLINE, "thời hạn", "deadline")):
            if not text[key]:
                raise self.error(f"mục {item.number} thiếu {vn}{hint} (item {item.number}: "
                                 f"missing {en}{en_hint})", item.source_row, key)
        for key, value in text.items():
            if len(value) > MAX_CELL_CHARS:
                raise self.error(
                    f"mục {item.number}: nội dung ô sau khi nối dài hơn {MAX_CELL_CHARS:,} "
                    "ký tự (merged cell too long)", item.source_row, key)
        self.items.append(ParsedItem(
            number=item.number, area_code=item.area_code, content=text[COL_CONTENT],
            lead=text[COL_LEAD], cooperating=text[COL_COOPERATING],
            deadline=text[COL_DEADLINE],
            product=text[COL_PRODUCT] if self.has_product_column else None,
            source_row=item.source_row, position=len(self.items) + 1))

    def finish(self, what: str = "") -> tuple[list[ParsedArea], list[ParsedItem]]:
        """Close the last item; raise when there was no header or no item."""
        if self._pending is not None:
            raise self._pending[-1]
        if self.header_row is None:
            raise ImportFormatError(
                self.source, "không tìm thấy dòng tiêu đề của bảng phụ lục (TT, Nội dung "
                "thực hiện, Cơ quan chủ trì, Cơ quan phối hợp, Thời gian hoàn thành)"
                + what + " (no appendix header row found)")
        self._close()
        if not self.items:
            raise self.error("bảng phụ lục không có nhiệm vụ nào (appendix table has no items)",
                             self.header_row)
        return self.areas, self.items


def _trim(keys: list[str | None]) -> list[str | None]:
    keys = list(keys)
    while keys and keys[-1] is None:
        keys.pop()
    return keys


def _sub_header_keys(cells: list[str], offset: int, width: int) -> list[str | None] | None:
    """Keys of a sub-header row ("", "", "Chủ trì", "Phối hợp", ""), else ``None``."""
    if any(cells[:offset]) or any(cells[offset + width:]):
        return None
    row = cells[offset:offset + width]
    keys = [classify_header_cell(c) if c else None for c in row]
    if not any(keys) or any(c and k is None for c, k in zip(row, keys)):
        return None
    return keys + [None] * (width - len(keys))


def _is_column_number_row(row: Sequence[str]) -> bool:
    """A "(1) (2) (3) ..." or "1 2 3 ..." column-numbering row under the header."""
    nums = []
    for cell in row:
        m = _COLUMN_NUMBERS_RE.fullmatch(cell)
        if not m:
            return False
        nums.append(int(m.group(1)))
    return len(nums) >= 4 and nums == list(range(nums[0], nums[0] + len(nums)))

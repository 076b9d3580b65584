"""Splitting one item's lines into its cells (the one-cell-per-line shape, :mod:`dondoc.importer.cells`).

The lines after an item number hold its cells in column order, each cell on one or
more lines. Every way to cut them into the header's columns is weighed at once
(dynamic programming over (column, first line)):

Hard rules (a cut that breaks one is never made):

* a cell never starts with a lower-case letter, nor after a line ending in a comma,
  a linking word ("và", "của", "các" ...) or a lone dash, nor with "- 2030" after
  a line ending in a year;
* "Cơ quan chủ trì" and "Cơ quan phối hợp" start like office names, "Thời gian hoàn
  thành" names a time and does not start like an office, "Sản phẩm" does not start
  like an office; content, lead and deadline are never empty; an office cell has at
  most 30 lines, a time cell 40, a product cell 60.

Preferences (points):

* an empty optional cell (phối hợp, sản phẩm, ghi chú): -100, so cells are left
  empty only when the lines cannot fill every column;
* a line whose first word would have fitted at the end of the line above (printed
  widths estimated with :func:`text_width`, against the widest line seen in that
  column in the rows that have a single reading) starts a new cell: -1 for each such
  line kept inside a cell (a bullet "- ..." excepted);
* an office cell whose names are all known offices or group phrases: +1;
* a time cell with several bullet lines ("- ...") that do not each name a time: -2
  per bullet; one where a line ending in a time ("Thường xuyên") is followed by a
  capitalised word ("Điểm số ..."): -1 each;
* a product cell that does not read like a time: +1; one that starts like a product
  ("Kế hoạch", "Báo cáo", "Quyết định", "Điểm số" ...): +1;
* a cell not starting with a bullet but holding one (not after a ":"): -1;
* a cell ending in ";" (a list that goes on): -1.

The best-scoring split is used only when it is the only one with that score;
otherwise, or when no split obeys the rules, an ImportFormatError names the item's
line (and, for a tie, shows two readings of the first cell they disagree on).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .cellkinds import (
    deadline_like,
    ends_with_time,
    known_offices,
    office_like,
    product_like,
)
from .model import (
    COL_CONTENT,
    COL_COOPERATING,
    COL_DEADLINE,
    COL_IGNORED,
    COL_LEAD,
    COL_PRODUCT,
    COLUMN_NAMES,
    ImportFormatError,
)
from .wrapping import join_wrapped, text_width

_DANGLING_RE = re.compile(
    r"(?:[,(]|(?:^|\s)[-–:]|\b(?:và|của|các|với|để|trong|cho|về|tại|từ|đến|hoặc|những|số|là|được|"
    r"thuộc|giữa|trên|dưới|như|theo|đối|bằng|nhằm|gồm|cùng))$", re.IGNORECASE)
_RANGE_END_RE = re.compile(r"[-–]\s*[0-9]")
_BULLET_RE = re.compile(r"[-+•–*]")

_OPTIONAL = {COL_COOPERATING, COL_PRODUCT, COL_IGNORED}
_MAX_CELL_LINES = {COL_LEAD: 30, COL_COOPERATING: 30, COL_DEADLINE: 40, COL_PRODUCT: 60}
EMPTY_COST = 100
FIT_COST = 1
FIT_SLACK = 0.08  # fonts differ from the width model: only clear cases count

Span = tuple[int, int] | None  # lines [start, end) of a cell, None for an empty cell


def may_start(previous: str, line: str) -> bool:
    """May ``line`` begin a new cell after ``previous``?"""
    if not _starts_cell(line) or _DANGLING_RE.search(previous):
        return False
    return not (previous[-1:].isdigit() and _RANGE_END_RE.match(line))  # "2026" / "- 2030"


def _capitalised(line: str) -> bool:
    """The line starts with a capitalised word that is not an acronym ("Điểm số", not "UBND")."""
    word = line.split()[0] if line.split() else ""
    return word[:1].isupper() and not word.isupper()


def _starts_cell(line: str) -> bool:
    """A cell starts with a capital or a digit, a bullet, or a quote or bracket before one."""
    if _BULLET_RE.match(line):
        return True
    first = line.lstrip("“\"'([")[:1]
    return first.isalnum() and not first.islower()


class RowSplitter:
    """Splits item lines into cells for the columns ``kinds`` (the header's keys after TT)."""

    def __init__(self, source: str, kinds: Sequence[str | None]):
        self.source = source
        self.kinds = list(kinds)
        self.widths: list[float | None] = [None] * len(self.kinds)

    def learn_widths(self, lines: list[str], spans: list[Span]) -> None:
        """Widen each column's known width with the lines of a row that had one reading."""
        for k, span in enumerate(spans):
            if span is not None:
                widest = max(text_width(line) for line in lines[span[0]:span[1]])
                self.widths[k] = max(self.widths[k] or 0, widest)

    def split(self, number: str, line_no: int, lines: list[str]) -> tuple[list[str], list[Span]]:
        """The cells (and their line spans); ImportFormatError when not exactly one reading."""
        m, width = len(lines), len(self.kinds)
        scorer = _Scorer(lines, self.kinds, self.widths)
        starts = [True] + [may_start(lines[j - 1], lines[j]) for j in range(1, m)]
        memo: dict[tuple[int, int], tuple[int, list[list[Span]]] | None] = {}

        def best(k: int, s: int):
            if k == width:
                return (0, [[]]) if s == m else None
            if (k, s) in memo:
                return memo[(k, s)]
            options: list[tuple[int, list[Span]]] = []
            if self.kinds[k] in _OPTIONAL:
                sub = best(k + 1, s)
                if sub is not None:
                    options += [(sub[0] - EMPTY_COST, [None, *rest]) for rest in sub[1]]
            for e in range(s + 1, min(m, s + _MAX_CELL_LINES.get(self.kinds[k], m)) + 1):
                if e < m and not starts[e]:
                    continue
                score = scorer.score(k, s, e)
                if score is None:
                    continue
                sub = best(k + 1, e)
                if sub is not None:
                    options += [(sub[0] + score, [(s, e), *rest]) for rest in sub[1]]
            result = None
            if options:
                top = max(score for score, _ in options)
                result = (top, [spans for score, spans in options if score == top][:2])
            memo[(k, s)] = result
            return result

        found = None
        if m:
            for k in range(width, -1, -1):  # fill the memo from the last column: no deep recursion
                for s in range(m, -1, -1):
                    best(k, s)
            found = best(0, 0)
        if found is None:
            names = ", ".join(COLUMN_NAMES.get(k or "", "?") for k in self.kinds)
            raise ImportFormatError(
                self.source, f"không chia được {m} dòng của mục {number} thành các ô {names} (ô cơ "
                "quan phải là tên cơ quan, ô thời gian phải là thời hạn); hãy kiểm tra mục này hoặc "
                "dùng bảng TAB, .docx (cannot rebuild the row's cells)", row=line_no)
        readings = [["" if span is None else join_wrapped(lines[span[0]:span[1]]) for span in spans]
                    for spans in found[1]]
        if len(readings) > 1:
            a, b = readings[:2]
            k = next(i for i in range(width) if a[i] != b[i])
            one, two = _excerpts(a[k], b[k])
            raise ImportFormatError(
                self.source, f"không tách được chắc chắn các ô của mục {number}: cột "
                f"{COLUMN_NAMES.get(self.kinds[k] or '', '?')} có thể là “{one}” hoặc “{two}”; hãy "
                "để mỗi ô trên một dòng hoặc dùng bảng TAB, .docx (ambiguous cells)", row=line_no)
        return readings[0], found[1][0]


class _Scorer:
    """Scores of candidate cells (lines ``s`` to ``e`` of an item as a cell of column ``k``)."""

    def __init__(self, lines: list[str], kinds: list[str | None], widths: list[float | None]):
        self.lines, self.kinds, self.widths = lines, kinds, widths
        self.bullet = [bool(_BULLET_RE.match(line)) for line in lines]
        mixed = [0] + [int(self.bullet[j] and not lines[j - 1].endswith(":")) for j in range(1, len(lines))]
        self.mixed = _prefix(mixed)
        self.fits: dict[int, list[int]] = {}
        self.timed: dict[tuple[int, int], bool] = {}
        self.texts: dict[tuple[int, int], str] = {}
        self.after_time: tuple[list[bool], list[int]] | None = None

    def _text(self, s: int, e: int) -> str:
        """The lines s..e-1 joined; built line by line, as the cuts are tried in that order."""
        text = self.texts.get((s, e))
        if text is None:
            before = self.texts.get((s, e - 1))
            text = join_wrapped([before, self.lines[e - 1]] if before is not None else self.lines[s:e])
            self.texts[(s, e)] = text
        return text

    def _fit_prefix(self, k: int) -> list[int] | None:
        limit = self.widths[k]
        if not limit:
            return None
        if k not in self.fits:
            lines = self.lines
            fits = [0] + [int(not self.bullet[j] and text_width(f"{lines[j - 1]} {lines[j].split()[0]}")
                              <= limit * (1 - FIT_SLACK)) for j in range(1, len(lines))]
            self.fits[k] = _prefix(fits)
        return self.fits[k]

    def _names_time(self, s: int, e: int) -> bool:
        """Do lines s..e-1 name a time (a phrase may wrap over three lines)?"""
        if (s, e) not in self.timed:
            earlier = e - 1 > s and self._names_time(s, e - 1)
            self.timed[(s, e)] = earlier or deadline_like(self._text(max(s, e - 3), e))
        return self.timed[(s, e)]

    def score(self, k: int, s: int, e: int) -> int | None:
        """None when the lines cannot be a cell of column ``k``; else a preference score."""
        kind = self.kinds[k]
        head = "" if kind in (COL_CONTENT, COL_IGNORED) else self._text(s, min(e, s + 4))  # the first words
        if kind in (COL_LEAD, COL_COOPERATING):
            if not office_like(head):
                return None
            score = 1 if known_offices(self._text(s, e)) else 0
        elif kind == COL_DEADLINE:
            if office_like(head) or not self._names_time(s, e):
                return None
            score = self._deadline_penalties(s, e)
        elif kind == COL_PRODUCT:
            if office_like(head):
                return None
            score = (0 if self._names_time(s, e) else 1) + (1 if product_like(head) else 0)
        elif kind in (COL_CONTENT, COL_IGNORED):
            score = 0
        else:
            return None
        if self.lines[e - 1].endswith(";"):
            score -= 1  # a list that goes on in the next cell's lines
        if not self.bullet[s] and self.mixed[e] - self.mixed[s + 1] > 0:
            score -= 1  # a bullet inside a cell that does not start with one
        fits = self._fit_prefix(k)
        if fits is not None:
            score -= FIT_COST * (fits[e] - fits[s + 1])
        return score

    def _deadline_penalties(self, s: int, e: int) -> int:
        """Bullets that name no time; capitalised lines glued to a time ("Thường xuyên" / "Điểm số")."""
        lines = self.lines
        bullets = [j for j in range(s, e) if self.bullet[j]]
        score = 0
        if len(bullets) >= 2:  # each bullet of a time cell names a time
            ends = [*bullets[1:], e]
            score -= 2 * sum(1 for a, b in zip(bullets, ends) if not deadline_like(self._text(a, b)))
        if self.after_time is None:  # line j is capitalised and follows a time (1 or 2 lines back)
            one = [False] + [_capitalised(lines[j]) and ends_with_time(lines[j - 1]) for j in range(1, len(lines))]
            two = [False, False] + [_capitalised(lines[j]) and ends_with_time(self._text(j - 2, j))
                                    for j in range(2, len(lines))]
            self.after_time = (one, _prefix([int(x) for x in two]))
        one, two = self.after_time
        if e > s + 1:
            score -= int(one[s + 1]) + max(0, two[e] - two[min(e, s + 2)])
        return score


def _prefix(values: list[int]) -> list[int]:
    """prefix[j] = sum(values[:j])."""
    out = [0]
    for value in values:
        out.append(out[-1] + value)
    return out


def _excerpts(a: str, b: str, limit: int = 70) -> tuple[str, str]:
    """The two readings of a cell, cut to show where they part."""
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    start = max(0, same - 30)
    cut = [("…" if start else "") + x[start:start + limit] + ("…" if len(x) > start + limit else "")
           for x in (a, b)]
    return cut[0], cut[1]

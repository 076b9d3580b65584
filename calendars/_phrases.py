"""The grammar of deadline texts (private helper of :mod:`calendars.deadlines`).

The cell is folded, masked and cut into fragments by :mod:`calendars._text`; a
fragment may start with a label.  Then:

1. **Chunks.**  The body of a fragment is split on " và ", " hoặc ", ", " and
   " - " (but not before a date-like token, as in "2026 - 2030").
2. **Rules.**  Each chunk is matched against the rules below, most specific
   first; what a rule matched is blanked out so later rules cannot re-read it.
3. **Residual.**  What no rule matched decides the rest: an event trigger
   ("theo", "sau khi", "khi", "đột xuất", "nếu có", "ngay sau") makes an event;
   a chunk with nothing understood that follows an event continues it ("theo quy
   định, hướng dẫn của Sở"); anything date-like left over (digits, "năm",
   "tháng", "tuần"...) is reported, never guessed.

The output is a list of :class:`Piece` and a list of problem messages (Vietnamese);
:mod:`calendars.deadlines` turns pieces into milestones.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from calendars._text import (
    JOIN_SEP,
    MASK_CLAIMED,
    MASKS,
    blank,
    fold,
    fragments,
    label_at,
    mask_doc_refs,
    split,
    trim,
)

MIN_YEAR = 1990
MAX_YEAR = 2100

# --------------------------------------------------------------------------- messages
# Everything a person reads is Vietnamese; the English in parentheses is for developers.
_SET = "đặt thời hạn bằng tay (set the deadline by hand)"
_HOW = "hãy " + _SET
_FIX = "hãy sửa lại hoặc " + _SET
MESSAGES = {
    "empty": "Ô thời hạn để trống (empty deadline): " + _HOW + ".",
    "unknown": (
        "Không hiểu thời hạn “{text}” (not understood): hãy đặt loại mốc (cố định, hằng năm, "
        "thường xuyên, giai đoạn, chờ sự kiện) và ngày hạn bằng tay."
    ),
    "unplaced": "Có chi tiết thời gian chưa hiểu trong “{text}” (date-like text not understood): " + _HOW + ".",
    "no_body": "Nhãn “{label}” không có thời hạn đi kèm (label without a deadline): " + _HOW + ".",
    "date": "Ngày không hợp lệ “{piece}” (invalid date): " + _FIX + ".",
    "month": "Tháng không hợp lệ “{piece}” (chỉ có tháng 1–12; invalid month): " + _FIX + ".",
    "quarter": "Quý không hợp lệ “{piece}” (chỉ có Quý I–IV; invalid quarter): " + _FIX + ".",
    "year": (
        f"Năm không hợp lệ “{{piece}}” (chỉ nhận năm {MIN_YEAR}–{MAX_YEAR}; year out of range): " + _FIX + "."
    ),
    "range": "Khoảng thời gian ngược “{piece}” (điểm đầu sau điểm cuối; reversed period): " + _FIX + ".",
    "yearly_day": (
        "Hạn hằng năm vào một ngày cụ thể “{piece}” chưa được hỗ trợ (yearly due on a given day): "
        "hãy đặt ngày hạn của từng năm bằng tay."
    ),
    "vague": "Mốc thời gian không rõ ngày “{piece}” (vague period, e.g. đầu năm, giữa quý): " + _HOW + ".",
}


def quote(text: str, limit: int = 160) -> str:
    """Shorten ``text`` for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(code: str, **parts: str) -> str:
    return MESSAGES[code].format(**{k: quote(v) for k, v in parts.items()})


class Piece(NamedTuple):
    """One understood meaning, before it becomes a :class:`~calendars.deadlines.Milestone`."""

    kind: str  # "fixed" | "yearly" | "continuous" | "period" | "event"
    text: str
    label: str | None
    start: date | None = None
    due: date | None = None
    month: int | None = None


class _Bad(Exception):
    """A rule matched something that cannot be a valid date (problem code in args[0])."""


# ------------------------------------------------------------------------------ rules
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _year(text: str) -> int:
    y = int(text)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _Bad("year")
    return y


def _quarter(text: str) -> int:
    q = _ROMAN.get(text) if not text.isdigit() else int(text)
    if q is None or not 1 <= q <= 4:
        raise _Bad("quarter")
    return q


def _month(text: str) -> int:
    m = int(text)
    if not 1 <= m <= 12:
        raise _Bad("month")
    return m


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _day(y: str, m: str, d: str) -> date:
    year, month = _year(y), int(m)
    try:
        return date(year, month, int(d))
    except ValueError:
        raise _Bad("date") from None


def _date_of(m: re.Match[str], p: str = "") -> date:
    g = m.group
    if g(p + "d") is not None:
        return _day(g(p + "y"), g(p + "m"), g(p + "d"))
    if g(p + "d2") is not None:
        return _day(g(p + "y2"), g(p + "m2"), g(p + "d2"))
    return _day(g(p + "y3"), g(p + "m3"), g(p + "d3"))


def _date_rx(p: str = "") -> str:
    return (
        rf"(?<![\d/.\-])(?:(?P<{p}d>\d{{1,2}})\s*(?P<{p}s>[/.\-])\s*(?P<{p}m>\d{{1,2}})\s*(?P={p}s)\s*(?P<{p}y>\d{{4}})"
        rf"|(?P<{p}d2>\d{{1,2}})\s+thang\s+(?P<{p}m2>\d{{1,2}})\s*,?\s+nam\s+(?P<{p}y2>\d{{4}})"
        rf"|(?P<{p}y3>\d{{4}})-(?P<{p}m3>\d{{1,2}})-(?P<{p}d3>\d{{1,2}}))(?!\d)"
    )


_Y = r"(?P<y>\d{4})(?!\d)"
_YSEP = r"\s*,?\s*(?:[/.\-]|nam)\s*"
_QN = r"\bquy\s*(?P<q>[ivxlc]+|\d{1,2})\b"
_MN = r"\bthang\s+(?P<mo>\d{1,2})"
_EVERY_YEAR = r"\s*(?:cua\s+)?(?:hang|moi)\s+nam\b"
_PRE = (
    r"(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|khong qua|khong muon hon|den|vao|trong thoi han)"
    r"\s+(?:(?:ngay|la|vao|trong)\s+)?)?"
)
_START_PRE = r"\b(?:bat dau\s+(?:tu\s+)?|ke tu\s+|tu\s+)"

# A handler returns (kind, start, due, month, tag) tuples; tag "within" marks "Trong năm X".
Item = tuple[str, date | None, date | None, int | None, str | None]


def _bounds(y: int, q: str | None, mo: str | None) -> tuple[date, date]:
    """First and last day of the quarter ``q``, the month ``mo``, or else the year ``y``."""
    if q is not None:
        n = _quarter(q)
        return date(y, 3 * n - 2, 1), _month_end(y, 3 * n)
    if mo is not None:
        n = _month(mo)
        return date(y, n, 1), _month_end(y, n)
    return date(y, 1, 1), date(y, 12, 31)


def _unit(m: re.Match[str]) -> tuple[date, date]:
    """First and last day of the year/quarter/month the match names."""
    g = m.groupdict()
    return _bounds(_year(g["y"]), g.get("q"), g.get("mo"))


def _unit_range(m: re.Match[str]) -> list[Item]:
    """"Quý I - Quý II/2026", "từ tháng 3 đến tháng 6/2026", "Tháng 11/2026 - Tháng 12/2026"."""
    last_year = _year(m["y2"])
    first = _bounds(_year(m["y1"]) if m["y1"] else last_year, m["q1"], m["m1"])[0]
    last = _bounds(last_year, m["q2"], m["m2"])[1]
    if first > last:
        raise _Bad("range")
    return [("period", first, last, None, None)]


def _fixed_unit(m: re.Match[str]) -> list[Item]:
    first, last = _unit(m)
    due = first - timedelta(days=1) if m.groupdict().get("pre") == "truoc" else last
    return [("fixed", None, due, None, None)]


def _fixed_date(m: re.Match[str]) -> list[Item]:
    d = _date_of(m)
    return [("fixed", None, d - timedelta(days=1) if m.group("pre") == "truoc" else d, None, None)]


def _first_months(m: re.Match[str]) -> list[Item]:
    y = _year(m.group("y"))
    n = 6 if m.group("n") is None else _month(m.group("n"))
    if m.group("pos") == "cuoi":
        first, last = date(y, 13 - n, 1), date(y, 12, 31)
    else:
        first, last = date(y, 1, 1), _month_end(y, n)
    due = first - timedelta(days=1) if m.group("pre") == "truoc" else last
    return [("fixed", None, due, None, None)]


def _date_range(m: re.Match[str]) -> list[Item]:
    a, b = _date_of(m, "a_"), _date_of(m, "b_")
    if a > b:
        raise _Bad("range")
    return [("period", a, b, None, None)]


def _year_range(m: re.Match[str]) -> list[Item]:
    a, b = _year(m.group("y1")), _year(m.group("y2"))
    if a > b:
        raise _Bad("range")
    return [("period", date(a, 1, 1), date(b, 12, 31), None, None)]


def _yearly_months(*months: int) -> Callable[[re.Match[str]], list[Item]]:
    return lambda m: [("yearly", None, None, mo, None) for mo in months]


def _yearly_named(m: re.Match[str]) -> list[Item]:
    g = m.groupdict()
    if g.get("q") is not None:
        q = _quarter(g["q"])
        month = 3 * q - 3 if g.get("pre") == "truoc" else 3 * q
    elif g.get("mo") is not None:
        month = _month(g["mo"]) - (1 if g.get("pre") == "truoc" else 0)
    else:  # "N tháng đầu năm hằng năm", "nửa đầu năm hằng năm"
        n = 6 if g.get("n") is None else _month(g["n"])
        month = n if g.get("pos") == "dau" else 12
    if month < 1:
        raise _Bad("vague")
    return [("yearly", None, None, month, None)]


def _start(m: re.Match[str]) -> list[Item]:
    first = _date_of(m) if "d" in m.groupdict() else _unit(m)[0]
    return [("continuous", first, None, None, None)]


def _within(m: re.Match[str]) -> list[Item]:
    first, last = _unit(m)
    return [("period", first, last, None, "within")]


def _problem(code: str) -> Callable[[re.Match[str]], list[Item]]:
    def handler(m: re.Match[str]) -> list[Item]:
        raise _Bad(code)

    return handler


def _continuous(m: re.Match[str]) -> list[Item]:
    return [("continuous", None, None, None, None)]


_YEARLY_PRE = r"(?:dinh ky\s+)?(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|vao|trong|cuoi)\s+)?"
_D = None  # a rule that needs a digit in the chunk
Rule = tuple[tuple[str, ...] | None, re.Pattern[str], Callable[[re.Match[str]], list[Item]]]
# (keywords one of which must occur, or _D for a digit; pattern; handler), most specific first.
_RULES: list[Rule] = [
    (
        _D,
        re.compile(
            rf"(?:\btu\s+)?(?:ngay\s+)?{_date_rx('a_')}\s*(?:-|\bden(?:\s+het)?)\s*(?:ngay\s+)?{_date_rx('b_')}"
        ),
        _date_range,
    ),
    (
        _D,
        re.compile(
            r"(?:\b(?:trong\s+)?(?:ca\s+)?giai doan\s+(?:tu\s+)?(?:nam\s+)?|\b(?:tu|trong)\s+(?:nam\s+)?|\bnam\s+)?"
            r"(?<![\d/.\-])(?P<y1>\d{4})\s*(?:-|\bden(?:\s+het)?(?:\s+nam)?)\s*(?P<y2>\d{4})(?!\d)"
        ),
        _year_range,
    ),
    (
        _D,
        re.compile(
            r"(?:\btu\s+)?(?:\bquy\s*(?P<q1>[ivxlc]+|\d{1,2})\b|\bthang\s+(?P<m1>\d{1,2}))"
            rf"(?:{_YSEP}(?P<y1>\d{{4}})(?!\d))?\s*(?:-|\bden(?:\s+het)?)\s*"
            rf"(?:\bquy\s*(?P<q2>[ivxlc]+|\d{{1,2}})\b|\bthang\s+(?P<m2>\d{{1,2}})){_YSEP}(?P<y2>\d{{4}})(?!\d)"
        ),
        _unit_range,
    ),
    (
        _D,
        re.compile(
            r"(?:\b(?:truoc|cham nhat|muon nhat|han chot|vao)\s+)?(?:ngay\s+)?(?<![\d/.\-])"
            r"(?:\d{1,2}\s*[/.\-]\s*\d{1,2}(?![\d/.\-])|\d{1,2}\s+thang\s+\d{1,2})" + _EVERY_YEAR
        ),
        _problem("yearly_day"),
    ),
    (("quy",), re.compile(_YEARLY_PRE + _QN + _EVERY_YEAR), _yearly_named),
    (_D, re.compile(_YEARLY_PRE + _MN + _EVERY_YEAR), _yearly_named),
    (
        ("thang", "nua"),
        re.compile(r"(?:(?P<n>\d{1,2})\s+thang|\bnua)\s+(?P<pos>dau|cuoi)\s+nam" + _EVERY_YEAR),
        _yearly_named,
    ),
    (("quy",), re.compile(r"(?:dinh ky\s+)?\b(?:hang|moi)\s+quy\b"), _yearly_months(3, 6, 9, 12)),
    (("thang",), re.compile(r"(?:dinh ky\s+)?\b(?:hang|moi)\s+thang\b"), _yearly_months(*range(1, 13))),
    (
        _D,
        re.compile(r"(?:dinh ky\s+)?\b6\s+thang\s*(?:/\s*|mot\s+|1\s+)lan\b|\bdinh ky\s+6\s+thang\b"),
        _yearly_months(6, 12),
    ),
    (("nam",), re.compile(r"(?:dinh ky\s+)?(?:\bvao\s+)?(?:\bcuoi\s+)?\b(?:hang|moi)\s+nam\b"), _yearly_months(12)),
    (_D, re.compile(_START_PRE + r"(?:ngay\s+)?" + _date_rx()), _start),
    (_D, re.compile(_START_PRE + _QN + _YSEP + _Y), _start),
    (_D, re.compile(_START_PRE + _MN + _YSEP + _Y), _start),
    (_D, re.compile(_START_PRE + r"(?<![\d/.\-])(?P<mo>\d{1,2})\s*/\s*" + _Y), _start),
    (_D, re.compile(_START_PRE + r"(?:nam\s+)?(?<![\d/.\-])" + _Y), _start),
    (_D, re.compile(r"\btrong\s+(?:nam\s+)?(?<![\d/.\-])" + _Y), _within),
    (_D, re.compile(r"\btrong\s+" + _QN + _YSEP + _Y), _within),
    (_D, re.compile(r"\btrong\s+" + _MN + _YSEP + _Y), _within),
    (_D, re.compile(_PRE + r"(?:ngay\s+)?" + _date_rx()), _fixed_date),
    (
        _D,
        re.compile(_PRE + r"(?:(?P<n>\d{1,2})\s+thang|\bnua)\s+(?P<pos>dau|cuoi)\s+nam\s*[/.\-]?\s*" + _Y),
        _first_months,
    ),
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?" + _QN + _YSEP + _Y), _fixed_unit),
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?" + _MN + _YSEP + _Y), _fixed_unit),
    (
        ("dau", "giua", "nua"),
        re.compile(r"(?<!bat )\b(?:dau|giua|nua)\s+(?:nam|quy|thang)\b(?:\s*[/.\-]?\s*(?:nam\s*)?(?:[ivx]+\b|\d+))*"),
        _problem("vague"),
    ),
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?\bnam\s+" + _Y), _fixed_unit),
    (_D, re.compile(_PRE + r"(?<![\d/.\-])(?P<mo>\d{1,2})\s*/\s*" + _Y + r"(?![/])"), _fixed_unit),
    (_D, re.compile(_PRE + r"(?<![\w/.\-])" + _Y + r"(?![\w/])"), _fixed_unit),
    (("thuong xuyen", "lien tuc"), re.compile(r"(?:\bthuc hien\s+)?\b(?:thuong xuyen|lien tuc)\b"), _continuous),
]

_DIGIT = re.compile(r"\d")

# Read on the lower-cased original (with diacritics) of the residual.
_CONDITIONAL = re.compile(
    r"\b(?:khi|ngay sau|nếu có|neu co|đột xuất|dot xuat|tùy|tuỳ|tuy theo|phát sinh|phat sinh)\b|^\W*sau\b(?!\W*\d)"
)
_REFERENCE = re.compile(r"\b(?:theo|căn cứ|can cu|phụ thuộc|phu thuoc|chờ|cho den khi)\b")
_DATE_LIKE = re.compile(
    r"\d|\b(?:năm|tháng|tuần|ngày|quý|hôm|tết|cuối|giữa|nửa|trước|giai đoạn|định kỳ)\b|\bđầu\s+(?:năm|quý|tháng)\b"
)


class _Chunk(NamedTuple):
    items: list[Item]
    problems: list[str]
    conditional: bool
    reference: bool
    date_like: bool


def _analyse(s: str, w: str, a: int, b: int) -> _Chunk:
    work = w[a:b]
    found: list[tuple[int, Item]] = []
    problems: list[str] = []
    has_digit = _DIGIT.search(work) is not None
    for needs, rx, handler in _RULES:
        if needs is None:
            if not has_digit:
                continue
        elif not any(k in work for k in needs):
            continue
        hits = list(rx.finditer(work))
        if not hits:
            continue
        for m in hits:
            try:
                found.extend((m.start(), it) for it in handler(m))
            except _Bad as bad:
                problems.append(message(bad.args[0], piece=s[a + m.start() : a + m.end()]))
        work = blank(work, [m.span() for m in hits], MASK_CLAIMED)
    found.sort(key=lambda t: t[0])
    residual = "".join(" " if c in MASKS else o for c, o in zip(work, s[a:b])).lower()
    return _Chunk(
        items=[it for _, it in found],
        problems=problems,
        conditional=_CONDITIONAL.search(residual) is not None,
        reference=_REFERENCE.search(residual) is not None,
        date_like=_DATE_LIKE.search(residual) is not None,
    )


_BARE_UNIT = re.compile(r"quy\s*(?P<q>[ivxlc]+|\d{1,2})|thang\s+(?P<mo>\d{1,2})")


def _shared_recurrence(w: str, a: int, b: int, later: list[tuple[int, int, _Chunk]]) -> list[Item]:
    """"Tháng 6 và tháng 12 hằng năm": a bare month or quarter shares the recurrence of the next one."""
    m = _BARE_UNIT.fullmatch(w, a, b)
    fa, fb, following = next(((fa, fb, c) for fa, fb, c in later if c.items or c.problems), (0, 0, None))
    if m is None or following is None or _BARE_UNIT.match(w, fa, fb) is None:
        return []
    if not following.items or any(it[0] != "yearly" for it in following.items):
        return []
    try:
        month = 3 * _quarter(m["q"]) if m["q"] is not None else _month(m["mo"])
    except _Bad:
        return []
    return [("yearly", None, None, month, None)]


def _read_fragment(s: str, w: str, a: int, b: int, pieces: list[Piece], problems: list[str]) -> None:
    label = None
    found = label_at(w, a, b)
    if found is not None:
        la, lb, body = found
        label = s[la:lb].strip()
        a, b = trim(w, body, b)
        if a >= b:
            problems.append(message("no_body", label=label))
            return
    chunks = []
    for ca, cb in split(w, a, b, JOIN_SEP):
        ca, cb = trim(w, ca, cb)
        if ca < cb:
            chunks.append((ca, cb, _analyse(s, w, ca, cb)))
    # Each entry: [kind, start, due, month, tag, text_start, text_end]
    out: list[list] = []
    last_event: int | None = None  # index in `out` of the event made by the previous chunk
    for i, (ca, cb, chunk) in enumerate(chunks):
        text = s[ca:cb]
        problems.extend(chunk.problems)
        made_event: int | None = None
        items = chunk.items
        shared = not items and not chunk.problems and _shared_recurrence(w, ca, cb, chunks[i + 1 :])
        if shared:
            items = shared
        if chunk.conditional:  # "hàng năm khi ... (nếu có)": the recurrence describes the trigger
            items = [it for it in items if it[0] != "yearly"]
        for kind, start, due, month, tag in items:
            out.append([kind, start, due, month, tag, ca, cb])
        if chunk.conditional or (chunk.reference and not items):
            made_event = len(out)
            out.append(["event", None, None, None, None, ca, cb])
        elif not items and not chunk.problems:
            if last_event is not None and not chunk.date_like:  # "theo quy định, hướng dẫn của Sở"
                out[last_event][6] = cb
                made_event = last_event
            else:
                problems.append(message("unknown", text=text))
        if chunk.date_like and not shared and (items or made_event is not None):
            problems.append(message("unplaced", text=text))
        last_event = made_event
    # "Trong năm 2026 và giai đoạn 2026 - 2030": the year is a fixed step of the period.
    if any(e[0] == "period" and e[4] != "within" for e in out):
        for e in out:
            if e[0] == "period" and e[4] == "within":
                e[0], e[1] = "fixed", None
    # "Thường xuyên từ năm 2026": one continuous milestone, with its start.
    conts = [e for e in out if e[0] == "continuous"]
    if len(conts) > 1:
        starts = [e[1] for e in conts if e[1] is not None]
        conts[0][1] = min(starts) if starts else None
        conts[0][6] = max(e[6] for e in conts)
        out = [e for e in out if e[0] != "continuous" or e is conts[0]]
    for kind, start, due, month, _tag, ta, tb in out:
        text = s[ta:tb].strip()
        pieces.append(Piece(kind, text, label, start, due, month))


def read(text: str) -> tuple[list[Piece], list[str]]:
    """Pieces and problems of one deadline cell.

    >>> pieces, problems = read("- Quý I/2026. - Báo cáo: hằng năm")
    >>> [(p.kind, p.label, p.due, p.month) for p in pieces], problems
    ([('fixed', None, datetime.date(2026, 3, 31), None), ('yearly', 'Báo cáo', None, 12)], [])
    """
    s = unicodedata.normalize("NFC", text)
    w = mask_doc_refs(fold(s))
    pieces: list[Piece] = []
    problems: list[str] = []
    for a, b in fragments(w):
        _read_fragment(s, w, a, b, pieces, problems)
    if not pieces and not problems:
        problems.append(message("empty"))
    return pieces, problems

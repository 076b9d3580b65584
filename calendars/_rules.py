"""The rules of the deadline grammar (private helper of :mod:`calendars._phrases`): what each
recognised phrase means, most specific first, and the messages for what is not understood.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple


MIN_YEAR = 1990
MAX_YEAR = 2100

# --------------------------------------------------------------------------- messages
# Everything a person reads is Vietnamese; the English in parentheses is for developers.
_SET = "đặt thời hạn bằng tay (set the deadline by hand)"
_HOW = "hãy " + _SET
_FIX = "hãy sửa lại hoặc " + _SET
MESSAGES = {
    "empty": "Ô thời hạn để trống (empty deadline): " + _HOW + ".",
    "too_long": (
        "Ô thời hạn dài {length} ký tự, quá {limit} ký tự một ô thời hạn có thể có (deadline cell too long): "
        "hãy kiểm tra tệp (có thể dán nhầm cột) hoặc " + _SET + "."
    ),
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

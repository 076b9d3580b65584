"""The rules of the deadline grammar (private helper of :mod:`calendars._phrases`): what each
recognised phrase means, most specific first.  The messages for what is not understood are in
:mod:`calendars._text`.

A recurrence due on a given day ("trước ngày 10/6 hằng năm", "trước ngày 22 hằng tháng") is read
into (month, day) pairs; a day that is the month's last day in every year is just the month (day
None).  Any other day is returned only while :data:`YEARLY_DAYS` is on; until then such a text is
flagged ("yearly_day", "recurring_day").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from calendars._text import MAX_YEAR, MIN_YEAR, message, quote  # noqa: F401 (message, quote: re-exported)

# On: a yearly (monthly, quarterly) milestone may be due on a given day, not only a month's last day; the stored
# milestone and ``dondoc.domain.deadlines.signature`` carry it in their rrule. Off: such texts are flagged.
YEARLY_DAYS = True


class Piece(NamedTuple):
    """One understood meaning, before it becomes a :class:`~calendars.deadlines.Milestone`."""

    kind: str  # "fixed" | "yearly" | "continuous" | "period" | "event"
    text: str
    label: str | None
    start: date | None = None
    due: date | None = None
    month: int | None = None
    day: int | None = None  # yearly only: the day of ``month``; None: its last day
    first_year: int | None = None  # yearly only: "Năm 2027 và các năm tiếp theo"; None: the plan's first year


class _Bad(Exception):
    """A rule matched something that cannot be a valid date (problem code in args[0])."""


# ------------------------------------------------------------------------------ rules
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year: a day valid every year


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
# "Quý III/2026", "Quý 3/2026", "Q3/2026", "QIII/2026"; the typo "Quý III2026" (a Roman numeral glued to the year).
_Q_WORD = r"(?:\bquy\s*|\bq\.?\s*(?=[ivx\d]))"
_QN = _Q_WORD + r"(?P<q>[ivxlc]+(?:\b|(?=\d{4}(?!\d)))|\d{1,2}\b)"
# After a quarter: the year separator, or only spaces after a Roman numeral ("Quý III 2026", "Quý III2026").
_QSEP = rf"(?:{_YSEP}|(?<=[ivxlc])\s*)"
_MN = r"\bthang\s*(?P<mo>\d{1,2})"
_EVERY_YEAR = r"\s*(?:cua\s+)?(?:hang|moi)\s+nam\b"
_PRE = (
    r"(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|khong qua|khong muon hon|den|vao|trong thoi han)"
    r"\s+(?:(?:ngay|la|vao|trong)\s+)?)?"
)
_START_PRE = r"\b(?:bat dau\s+(?:tu\s+)?|ke tu\s+|tu\s+)"
_DAY_PRE = r"(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|vao)\s+)?"


class Item(NamedTuple):
    """What a rule read: a milestone before its text and label are known."""

    kind: str
    start: date | None = None
    due: date | None = None
    month: int | None = None
    tag: str | None = None  # "within": "Trong năm X"; "cadence": a bare reporting cadence ("hằng quý", "báo cáo năm")
    day: int | None = None  # yearly only, see Piece
    first_year: int | None = None  # yearly only, see Piece


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
    """"Quý I - Quý II/2026", "từ tháng 3 đến tháng 6/2026", "Tháng 11/2026 - Tháng 12/2026"; the second
    unit may be a bare numeral of the same kind: "Quý I - II/2027", "Tháng 4 - 5/2027", "Tháng 7/2026 - 9/2026"."""
    g = m.groupdict()
    q2, m2 = g["q2"], g["m2"]
    if g["n2"] is not None:  # a bare numeral: a quarter written like the first one, or a month
        if g["q1"] is not None and g["n2"].isdigit() == g["q1"].isdigit():
            q2 = g["n2"]
        elif g["m1"] is not None and g["n2"].isdigit():
            m2 = g["n2"]
        else:
            raise _Bad("mixed")
    last_year = _year(g["y2"])
    first = _bounds(_year(g["y1"]) if g["y1"] else last_year, g["q1"], g["m1"])[0]
    last = _bounds(last_year, q2, m2)[1]
    if first > last:
        raise _Bad("range")
    return [Item("period", first, last)]


def _fixed_unit(m: re.Match[str]) -> list[Item]:
    first, last = _unit(m)
    due = first - timedelta(days=1) if m.groupdict().get("pre") == "truoc" else last
    return [Item("fixed", due=due)]


def _fixed_date(m: re.Match[str]) -> list[Item]:
    d = _date_of(m)
    return [Item("fixed", due=d - timedelta(days=1) if m.group("pre") == "truoc" else d)]


def _first_months(m: re.Match[str]) -> list[Item]:
    y = _year(m.group("y"))
    n = 6 if m.group("n") is None else _month(m.group("n"))
    if m.group("pos") == "cuoi":
        first, last = date(y, 13 - n, 1), date(y, 12, 31)
    else:
        first, last = date(y, 1, 1), _month_end(y, n)
    due = first - timedelta(days=1) if m.group("pre") == "truoc" else last
    return [Item("fixed", due=due)]


def _week(m: re.Match[str]) -> list[Item]:
    """"Tuần cuối (của) tháng 3/2026": the last week ends on the last day of the month (quarter, year);
    "tuần đầu tháng 4/2026": the first week ends on the 7th of its first month."""
    if m.group("pre") == "truoc":  # before the last week: which day?
        raise _Bad("vague")
    first, last = _unit(m)
    return [Item("fixed", due=last if m.group("pos").startswith("cuoi") else first + timedelta(days=6))]


def _date_range(m: re.Match[str]) -> list[Item]:
    a, b = _date_of(m, "a_"), _date_of(m, "b_")
    if a > b:
        raise _Bad("range")
    return [Item("period", a, b)]


def _year_range(m: re.Match[str]) -> list[Item]:
    a, b = _year(m.group("y1")), _year(m.group("y2"))
    if a > b:
        raise _Bad("range")
    return [Item("period", date(a, 1, 1), date(b, 12, 31))]


def _yearly_months(*months: int) -> Callable[[re.Match[str]], list[Item]]:
    return lambda m: [Item("yearly", month=mo, tag="cadence") for mo in months]


_CADENCE_MONTHS = {
    "quy": (3, 6, 9, 12),
    "thang": tuple(range(1, 13)),
    "nam": (12,),
    "ca nam": (12,),
    "6 thang": (6,),
    "9 thang": (9,),
}


def cadence_of(unit: str) -> list[Item]:
    """"định kỳ quý", "báo cáo năm", "6 tháng": the report of that period, due at its end each year (a
    quarter's report at each quarter's end, the 6-month report at June's, the 9-month at September's)."""
    return [Item("yearly", month=mo, tag="cadence") for mo in _CADENCE_MONTHS[" ".join(unit.split())]]


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
    return [Item("yearly", month=month)]


def day_in_year(month: int, day: int, before: bool) -> tuple[int, int | None]:
    """(month, day) due each year for "ngày ``day``/``month``" ("trước ngày": the day before); the day is
    None when it is the month's last day in every year.  Raises _Bad("date") for a day some years lack.

    >>> day_in_year(6, 10, True), day_in_year(3, 1, True), day_in_year(3, 31, False), day_in_year(2, 28, False)
    ((6, 9), (2, None), (3, None), (2, 28))
    """
    if not 1 <= month <= 12 or not 1 <= day <= _MONTH_DAYS[month - 1]:
        raise _Bad("date")
    if before:
        day -= 1
        if day == 0:
            return (12 if month == 1 else month - 1), None
    return month, (None if month != 2 and day == _MONTH_DAYS[month - 1] else day)


def yearly_on_days(pairs: list[tuple[int, int | None]], code: str, first_year: int | None = None) -> list[Item]:
    """Yearly items for (month, day) pairs, by month, without repeats; _Bad(code) for a day while days are off."""
    if not YEARLY_DAYS and any(d is not None for _, d in pairs):
        raise _Bad(code)
    pairs = sorted(set(pairs), key=lambda p: (p[0], p[1] or 99))
    return [Item("yearly", month=mo, day=d, first_year=first_year) for mo, d in pairs]


def _yearly_day(m: re.Match[str]) -> list[Item]:
    """"trước ngày 15/12 hằng năm", "ngày 05 tháng 11 hằng năm", "Hằng năm (trước ngày 20/11)"."""
    g = m.groupdict()
    d, mo = (g["d"], g["mo"]) if g.get("d") is not None else (g["d2"], g["mo2"])
    return yearly_on_days([day_in_year(int(mo), int(d), g.get("pre") == "truoc")], "yearly_day")


def _monthly_day(m: re.Match[str]) -> list[Item]:
    """"trước ngày 22 hằng tháng": the 21st of every month."""
    d, before = int(m.group("d")), m.group("pre") == "truoc"
    return yearly_on_days([day_in_year(mo, d, before) for mo in range(1, 13)], "recurring_day")


def _quarterly_day(m: re.Match[str]) -> list[Item]:
    """"trước ngày 15 tháng cuối quý": the 14th of March, June, September, December; "tháng đầu quý (sau)":
    of January, April, July, October (the first month of the next quarter, as a set of months, is the same)."""
    d, before = int(m.group("d")), m.group("pre") == "truoc"
    months = (3, 6, 9, 12) if m.group("which") == "cuoi" else (1, 4, 7, 10)
    return yearly_on_days([day_in_year(mo, d, before) for mo in months], "recurring_day")


def _weekly_yearly(m: re.Match[str]) -> list[Item]:
    """"Tuần cuối tháng 12 hằng năm" = the last day of December each year; "tuần đầu tháng 1 hằng năm" = the 7th."""
    mo = _month(m.group("mo"))
    if m.group("pos").startswith("cuoi"):
        return [Item("yearly", month=mo)]
    return yearly_on_days([(mo, 7)], "yearly_day")


def _yearly_from(m: re.Match[str]) -> list[Item]:
    """"Hằng năm từ năm 2027", "từ năm 2027 hằng năm": yearly (31/12) from 2027."""
    return [Item("yearly", month=12, first_year=_year(m.group("y")))]


def _start(m: re.Match[str]) -> list[Item]:
    first = _date_of(m) if "d" in m.groupdict() else _unit(m)[0]
    return [Item("continuous", first)]


def _within(m: re.Match[str]) -> list[Item]:
    first, last = _unit(m)
    return [Item("period", first, last, tag="within")]


def _problem(code: str) -> Callable[[re.Match[str]], list[Item]]:
    def handler(m: re.Match[str]) -> list[Item]:
        raise _Bad(code)

    return handler


def _continuous(m: re.Match[str]) -> list[Item]:
    return [Item("continuous")]


_YEARLY_PRE = r"(?:dinh ky\s+)?(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|vao|trong|cuoi)\s+)?"
_WEEK = r"\btuan\s+(?:le\s+)?(?P<pos>dau tien|dau|cuoi cung|cuoi)\s+(?:cua\s+)?"
_RANGE_Q1 = r"\b(?:quy|q\.?(?=\s*[ivx\d]))\s*(?P<q1>[ivxlc]+|\d{1,2})\b"
_RANGE_Q2 = r"\b(?:quy|q\.?(?=\s*[ivx\d]))\s*(?P<q2>[ivxlc]+|\d{1,2})\b"
# The end of a bare reporting period ("báo cáo quý"), not a named one ("báo cáo quý I/2026", "báo cáo năm 2026").
# A phrase another rule read right after it ("báo cáo 6 tháng trước ngày 15/6 …") is its date: not a bare period.
_CADENCE_END = r"(?!\s*(?:[ivxlc]+\b|\d|/|\x00|nay|sau|truoc|toi|qua|dau|cuoi|hoc|tiep))"
_D = None  # a rule that needs a digit in the chunk
Rule = tuple[tuple[str, ...] | None, re.Pattern[str], Callable[[re.Match[str]], list[Item]]]
# (keywords one of which must occur, or _D for a digit; pattern; handler), most specific first.
_DAYS = r"(?:(?P<d>\d{1,2})\s*[/.\-]\s*(?P<mo>\d{1,2})"
_DAY_IN_BRACKET = _DAYS + r"|(?P<d2>\d{1,2})\s+thang\s+(?P<mo2>\d{1,2}))\s*\)"
_EVERY_YEAR_BRACKET = r"(?:dinh ky\s+)?\b(?:hang|moi)\s+nam\s*\(\s*"
_RULES: list[Rule] = [
    (_D, re.compile(rf"(?:\btu\s+)?(?:ngay\s+)?{_date_rx('a_')}\s*(?:-|\bden(?:\s+het)?)\s*"
                    rf"(?:ngay\s+)?{_date_rx('b_')}"), _date_range),
    (_D, re.compile(r"(?:\b(?:trong\s+)?(?:ca\s+)?giai doan\s+(?:tu\s+)?(?:nam\s+)?|\b(?:tu|trong)\s+(?:nam\s+)?"
                    r"|\bnam\s+)?(?<![\d/.\-])(?P<y1>\d{4})\s*(?:-|\bden(?:\s+het)?(?:\s+nam)?)\s*(?P<y2>\d{4})(?!\d)"),
     _year_range),
    (_D, re.compile(rf"(?:\btu\s+)?(?:{_RANGE_Q1}|\bthang\s*(?P<m1>\d{{1,2}}))(?:{_YSEP}(?P<y1>\d{{4}})(?!\d))?"
                    rf"\s*(?:-|\bden(?:\s+het)?)\s*(?:{_RANGE_Q2}|\bthang\s*(?P<m2>\d{{1,2}})"
                    rf"|(?<![\w/.])(?P<n2>[ivxlc]+|\d{{1,2}})\b){_YSEP}(?P<y2>\d{{4}})(?!\d)"), _unit_range),
    # "Hằng năm (Quý I)", "Hằng năm (trước ngày 20/11)": the bracket names the period of each year.
    (("nam",), re.compile(_EVERY_YEAR_BRACKET + r"(?:\b(?P<pre>truoc|cham nhat|muon nhat|han chot|vao|trong|cuoi)"
                          rf"\s+)?(?:{_QN}|{_MN})\s*\)"), _yearly_named),
    (_D, re.compile(_EVERY_YEAR_BRACKET + _DAY_PRE + r"(?:ngay\s+)?(?<![\d/.\-])" + _DAY_IN_BRACKET), _yearly_day),
    (_D, re.compile(_DAY_PRE + r"(?:ngay\s+)?(?<![\d/.\-])" + _DAYS + r"(?![\d/.\-])"
                    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<mo2>\d{1,2}))" + _EVERY_YEAR), _yearly_day),
    (_D, re.compile(_DAY_PRE + r"\bngay\s+(?P<d>\d{1,2})\s+(?:cua\s+)?(?:hang|moi)\s+thang\b"), _monthly_day),
    (_D, re.compile(_DAY_PRE + r"\bngay\s+(?P<d>\d{1,2})\s+(?:cua\s+)?thang\s+(?P<which>dau|cuoi)\s+(?:cua\s+)?"
                    r"(?:(?:moi|hang)\s+)?quy\b(?:\s+(?:sau|tiep theo|ke tiep)\b)?"), _quarterly_day),
    (_D, re.compile(r"(?:\b(?:cham nhat|muon nhat|han chot|vao|trong)\s+)?" + _WEEK + _MN + _EVERY_YEAR),
     _weekly_yearly),
    (_D, re.compile(_PRE + r"(?:\btrong\s+)?" + _WEEK + rf"(?:{_QN}{_QSEP}|{_MN}{_YSEP}|\bnam\s*)" + _Y), _week),
    (_D, re.compile(r"(?:dinh ky\s+)?\b(?:hang|moi)\s+nam\s+(?:\bbat dau\s+)?(?:\bke\s+)?\btu\s+(?:nam\s+)?"
                    r"(?<![\d/.\-])" + _Y + r"(?:\s+tro di\b)?"), _yearly_from),
    (_D, re.compile(r"(?:\bbat dau\s+)?(?:\bke\s+)?\btu\s+(?:nam\s+)?(?<![\d/.\-])" + _Y
                    + r"(?:\s+tro di)?\s+(?:dinh ky\s+)?(?:hang|moi)\s+nam\b"), _yearly_from),
    (("q",), re.compile(_YEARLY_PRE + _QN + _EVERY_YEAR), _yearly_named),
    (_D, re.compile(_YEARLY_PRE + _MN + _EVERY_YEAR), _yearly_named),
    (("thang", "nua"), re.compile(r"(?:(?P<n>\d{1,2})\s+thang|\bnua)\s+(?P<pos>dau|cuoi)\s+nam" + _EVERY_YEAR),
     _yearly_named),
    (("quy",), re.compile(r"(?:dinh ky\s+)?\b(?:hang|moi)\s+quy\b"), _yearly_months(3, 6, 9, 12)),
    (("thang",), re.compile(r"(?:dinh ky\s+)?\b(?:hang|moi)\s+thang\b"), _yearly_months(*range(1, 13))),
    (_D, re.compile(r"(?:dinh ky\s+)?\b6\s+thang\s*(?:/\s*|mot\s+|1\s+)lan\b|\bdinh ky\s+6\s+thang\b"),
     _yearly_months(6, 12)),
    (("nam",), re.compile(r"(?:dinh ky\s+)?(?:\bvao\s+)?(?:\bcuoi\s+)?\b(?:hang|moi)\s+nam\b"), _yearly_months(12)),
    (_D, re.compile(_START_PRE + r"(?:ngay\s+)?" + _date_rx()), _start),
    (_D, re.compile(_START_PRE + _QN + _QSEP + _Y), _start),
    (_D, re.compile(_START_PRE + _MN + _YSEP + _Y), _start),
    (_D, re.compile(_START_PRE + r"(?<![\d/.\-])(?P<mo>\d{1,2})\s*/\s*" + _Y), _start),
    (_D, re.compile(_START_PRE + r"(?:nam\s+)?(?<![\d/.\-])" + _Y), _start),
    (_D, re.compile(r"\btrong\s+(?:nam\s+)?(?<![\d/.\-])" + _Y), _within),
    (_D, re.compile(r"\btrong\s+" + _QN + _QSEP + _Y), _within),
    (_D, re.compile(r"\btrong\s+" + _MN + _YSEP + _Y), _within),
    (_D, re.compile(_PRE + r"(?:ngay\s+)?" + _date_rx()), _fixed_date),
    (_D, re.compile(_PRE + r"(?:(?P<n>\d{1,2})\s+thang|\bnua)\s+(?P<pos>dau|cuoi)\s+nam\s*[/.\-]?\s*" + _Y),
     _first_months),
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?" + _QN + _QSEP + _Y), _fixed_unit),
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?" + _MN + _YSEP + _Y), _fixed_unit),
    (("dau", "giua", "nua"),
     re.compile(r"(?<!bat )\b(?:dau|giua|nua)\s+(?:nam|quy|thang)\b(?:\s*[/.\-]?\s*(?:nam\s*)?(?:[ivx]+\b|\d+))*"),
     _problem("vague")),
    # "Năm 2026", and the typo "Năm2026" (but not "hằng năm2026").
    (_D, re.compile(_PRE + r"(?:\bcuoi\s+)?\bnam(?:\s+|(?<!hang nam)(?<!moi nam))" + _Y), _fixed_unit),
    # "3/2026" is March 2026, and so is "T3/2026"; after any other letter ("Q3/2026" is read above) it is not a month.
    (_D, re.compile(_PRE + r"(?:(?<=\bt)|(?<![\w/.\-]))(?P<mo>\d{1,2})\s*/\s*" + _Y + r"(?![/])"), _fixed_unit),
    (_D, re.compile(_PRE + r"(?<![\w/.\-])" + _Y + r"(?![\w/])"), _fixed_unit),
    (("thuong xuyen", "lien tuc"), re.compile(r"(?:\bthuc hien\s+)?\b(?:thuong xuyen|lien tuc)\b"), _continuous),
    # A bare reporting period: "định kỳ quý", "báo cáo năm", "báo cáo 6 tháng" (lists of them: _phrases).
    (("dinh ky", "bao cao", "bc"),
     re.compile(r"\b(?:dinh ky\s+(?P<u1>quy|thang|nam)|(?:bao cao|bc)\s+(?:dinh ky\s+)?(?P<u2>quy|thang|nam|6\s+thang"
                r"|9\s+thang))\b" + _CADENCE_END), lambda m: cadence_of(m.group("u1") or m.group("u2"))),
]

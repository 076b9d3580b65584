"""Wording shared by every message: the milestone due, how a person is addressed, one office for a subject.

Pure functions of plain values (no template, no database).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any


def as_date(value: Any) -> date | None:
    """A date from a date, a moment or an ISO text (None for nothing)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def period_of(value: Any) -> str:
    """The period a due date closes, as plans write it: a year's, a quarter's or a month's last day,
    else the day itself.

    >>> [period_of(d) for d in ("2026-12-31", "2026-03-31", "2026-01-31", "2026-06-30", "2026-01-14")]
    ['năm 2026', 'Quý I/2026', 'tháng 01/2026', 'Quý II/2026', 'ngày 14/01/2026']
    """
    day = as_date(value)
    if day is None:
        return ""
    last_of_month = (day + timedelta(days=1)).day == 1
    if last_of_month and day.month == 12:
        return f"năm {day.year}"
    if last_of_month and day.month % 3 == 0:
        return f"Quý {_ROMAN[day.month // 3]}/{day.year}"
    if last_of_month:
        return f"tháng {day.month:02d}/{day.year}"
    return f"ngày {day:%d/%m/%Y}"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ABBREVIATIONS = ((re.compile(r"^KH\b"), "Kế hoạch"), (re.compile(r"^BC\b"), "Báo cáo"))


def milestone_name(label: str | None, nominal: Any, *, limit: int | None = None) -> str:
    """What part of an item is due: its label (abbreviations written out) and the period it closes.

    >>> milestone_name("KH", date(2026, 3, 31))
    'Kế hoạch Quý I/2026'
    >>> milestone_name("Báo cáo kết quả thực hiện", "2026-12-31")
    'Báo cáo kết quả thực hiện năm 2026'
    >>> milestone_name(None, "2026-01-31")
    'Tháng 01/2026'
    >>> milestone_name(None, "2026-04-10")  # a plain day says no more than the due date
    ''
    >>> milestone_name("BC kết quả khảo sát mức độ hài lòng của người dân", "2026-12-31", limit=30)
    'Báo cáo kết quả khảo sát mức…'
    """
    text = " ".join((label or "").split()).strip(" :.-")
    for pattern, full in _ABBREVIATIONS:
        text = pattern.sub(full, text)
    period = period_of(nominal)
    if not text and period.startswith("ngày"):
        return ""
    if limit and len(text) > limit:
        text = text[:limit - 1].rsplit(" ", 1)[0] + "…"
    elif period:
        text = f"{text} {period}".strip()
    return text[:1].upper() + text[1:]


def sentence(text: Any) -> str:
    """A text without its closing punctuation, to be followed by more of the sentence.

    >>> sentence("Xây dựng kế hoạch đầu tư công hàng năm. ")
    'Xây dựng kế hoạch đầu tư công hàng năm'
    """
    return str(text or "").strip().rstrip(".;,: ").strip()


def addressee(name: str, role: str | None = None, office: str | None = None) -> str:
    """How a message addresses a person: "Ông/Bà <full name> – <role>", the role naming the office.

    >>> addressee("Trần Văn Cường", "Trưởng phòng", "Phòng Văn hóa - Xã hội")
    'Ông/Bà Trần Văn Cường – Trưởng phòng Văn hóa - Xã hội'
    >>> addressee("Đỗ Văn Phúc", "Chánh Văn phòng", "Văn phòng HĐND và UBND xã")
    'Ông/Bà Đỗ Văn Phúc – Chánh Văn phòng HĐND và UBND xã'
    >>> addressee("Nguyễn Văn An", "Chủ tịch UBND xã")
    'Ông/Bà Nguyễn Văn An – Chủ tịch UBND xã'
    >>> addressee("Lê Thị Hoa", "Giám đốc", "Trung tâm Phục vụ hành chính công")
    'Ông/Bà Lê Thị Hoa – Giám đốc Trung tâm Phục vụ hành chính công'
    >>> addressee("Phạm Thị Dung", None, "Phòng Văn hóa - Xã hội")
    'Ông/Bà Phạm Thị Dung – Phòng Văn hóa - Xã hội'
    """
    role, office = " ".join((role or "").split()), " ".join((office or "").split())
    if office and office.casefold() not in role.casefold():
        words, office_words = role.split(), office.split()
        overlap = next((n for n in range(min(len(words), len(office_words)), 0, -1)
                        if [w.casefold() for w in words[-n:]] == [w.casefold() for w in office_words[:n]]), 0)
        role = " ".join(words + office_words[overlap:])
    return f"Ông/Bà {' '.join(name.split())}" + (f" – {role}" if role else "")


def offices_short(offices: list[str] | None, one: str | None = None) -> str:
    """One office for a subject line: ``one`` when given, else the first, and how many more.

    >>> offices_short(["Văn phòng HĐND và UBND xã", "Phòng Kinh tế", "Công an xã"])
    'Văn phòng HĐND và UBND xã và 2 cơ quan khác'
    """
    if one:
        return one
    offices = list(offices or [])
    if not offices:
        return "cơ quan chủ trì chưa xác định"
    return offices[0] + (f" và {len(offices) - 1} cơ quan khác" if len(offices) > 1 else "")

"""What people read for a plan and an item: a plan's short title and "Mục 37", never a plan code.

>>> short_plan_title("Kế hoạch cải cách hành chính trên địa bàn xã Ngọc Liên giai đoạn 2026 - 2030")
'KH CCHC 2026–2030'
>>> short_plan_title("Kế hoạch Cải cách hành chính phường Hạc Thành năm 2026")
'KH CCHC 2026'
>>> short_plan_title("Kế hoạch chuyển đổi số năm 2027")
'KH chuyển đổi số 2027'
>>> item_label("37"), item_label("37", "KH CCHC 2026–2030")
('Mục 37', 'KH CCHC 2026–2030, mục 37')
>>> short_unit_name("Xã Ngọc Liên"), short_unit_name("Phường Hạc Thành"), short_unit_name("Sở Nội vụ")
('Ngọc Liên', 'Hạc Thành', 'Sở Nội vụ')
"""

from __future__ import annotations

import re

_PERIOD_RE = re.compile(r"(?:giai\s+đoạn\s*)?(\d{4})\s*(?:-|–|—|đến)\s*(\d{4})", re.I)
_YEAR_RE = re.compile(r"(?:năm\s+)?(\d{4})(?!\d)", re.I)
_WHERE_RE = re.compile(r"\s+(?:(?:trên\s+)?địa\s+bàn\s+)?(?:của\s+)?(?:ubnd\s+|ủy ban nhân dân\s+)?"
                       r"(?:xã|phường|thị trấn|đặc khu|tỉnh|thành phố|sở)\s+.*$", re.I)
_WORDS = (
    (re.compile(r"^kế\s+hoạch\b", re.I), "KH"),
    (re.compile(r"\bcải\s+cách\s+hành\s+chính\b", re.I), "CCHC"),
    (re.compile(r"\bchuyển\s+đổi\s+số\b", re.I), "chuyển đổi số"),
)


def short_plan_title(title: str, limit: int = 40) -> str:
    """A plan's title cut to what tells plans apart: its subject (abbreviated) and its years."""
    text = " ".join((title or "").split())
    years = ""
    m = _PERIOD_RE.search(text)
    if m:
        years, text = f"{m.group(1)}–{m.group(2)}", text[:m.start()] + text[m.end():]
    else:
        m = _YEAR_RE.search(text)
        if m:
            years, text = m.group(1), text[:m.start()] + text[m.end():]
    text = re.sub(r"\s+(?:năm|giai đoạn)\s*$", "", " ".join(text.split()), flags=re.I)
    text = _WHERE_RE.sub("", text)
    for pattern, short in _WORDS:
        text = pattern.sub(short, text)
    text = " ".join(text.split()).strip(" ,.-–")
    if len(text) > limit:
        text = text[:limit - 1].rsplit(" ", 1)[0] + "…"
    return f"{text} {years}".strip() if text else years or "Kế hoạch"


def item_label(number: str, plan_short: str | None = None) -> str:
    """"Mục 37"; with the plan's short title when several plans are in view."""
    return f"{plan_short}, mục {number}" if plan_short else f"Mục {number}"


_UNIT_KIND_RE = re.compile(r"^(?:xã|phường|thị\s+trấn|đặc\s+khu)\s+(?=\S)", re.I)


def short_unit_name(name: str) -> str:
    """A commune's or ward's name without its kind ("Ngọc Liên"); other units keep their name."""
    text = " ".join((name or "").split())
    return _UNIT_KIND_RE.sub("", text) or text

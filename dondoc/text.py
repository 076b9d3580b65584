"""Small text helpers every layer shares: folding Vietnamese, slugs, Roman numerals, item order.

>>> fold("Phòng Văn hóa - Xã hội")
'phong van hoa - xa hoi'
>>> slugify("Xã Ngọc Liên")
'xa-ngoc-lien'
>>> slugify("Phòng Văn hóa - Xã hội", limit=12)
'phong-van-ho'
>>> [roman_value(c) for c in ("I", "IV", "VI", "IX", "XIV", "A", "", "IIII")]
[1, 4, 6, 9, 14, None, None, None]
>>> sorted(["10", "2", "1a", "1"], key=item_number_key)
['1', '2', '10', '1a']
>>> sorted(["IV. B", "II. A", "(không thuộc lĩnh vực)", "X. C"], key=area_order)
['II. A', 'IV. B', 'X. C', '(không thuộc lĩnh vực)']
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def fold(text: str) -> str:
    """Lower case without accents ("đ" becomes "d"); spacing is kept as it is."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()


def slugify(text: str, limit: int | None = None) -> str:
    """Lowercase ASCII letters and digits joined by dashes (file names, codes, Prefect keys)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if limit is not None:
        slug = slug[:limit].strip("-")
    return slug or "x"


def roman_value(code: str) -> int | None:
    """The value of a well-formed Roman numeral; None for anything else."""
    code = (code or "").strip()
    if not code or not _ROMAN_RE.fullmatch(code):
        return None
    total = 0
    for i, ch in enumerate(code):
        value = _ROMAN_VALUES[ch]
        after = _ROMAN_VALUES[code[i + 1]] if i + 1 < len(code) else 0
        total += -value if after > value else value
    return total


def item_number_key(number: str) -> tuple:
    """Items in appendix order: "2" before "10"; numbers that are not plain digits after them.

    A reference written "<plan>#<number>" is ordered by its number.
    """
    number = number.rsplit("#", 1)[-1]
    return (int(number), "") if number.isascii() and number.isdigit() else (10**9, number)


def area_order(name: str) -> tuple[int, str]:
    """Areas named "II. …" in appendix order; names without a Roman numeral last."""
    code = name.split(".", 1)[0] if ". " in name else ""
    value = roman_value(code)
    return (value if value is not None else 10_000, name)


def ascii_digits(value: str, max_length: int = 12) -> int | None:
    """The number written in ``value`` when it is only ASCII digits (a path or form field); else None.

    >>> ascii_digits("42"), ascii_digits("4²"), ascii_digits("٤٢"), ascii_digits("")
    (42, None, None, None)
    """
    if not value or len(value) > max_length or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def read_date(value: str, *, iso_only: bool = False) -> date | None:
    """A day written ``YYYY-MM-DD``, ``DD/MM/YYYY`` or ``DD-MM-YYYY`` (years 1990–2100); None otherwise.
    ``iso_only``: only ``YYYY-MM-DD`` (what a date field of a form sends).

    >>> read_date("2026-03-20"), read_date(" 20/03/2026 "), read_date("31/02/2026"), read_date("hôm nay")
    (datetime.date(2026, 3, 20), datetime.date(2026, 3, 20), None, None)
    >>> read_date("20/03/2026", iso_only=True) is None
    True
    """
    text = (value or "").strip()
    if not text or len(text) > 20:
        return None
    for fmt in ("%Y-%m-%d",) if iso_only else ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if 1990 <= day.year <= 2100 else None
    return None

"""Undoing line wraps: the lines a cell was broken into (in a PDF, or copied from one) back into its text.

Lines join with a space, except after a hyphen, dash or slash written right after a
letter or digit ("220/KH-" + "UBND" is "220/KH-UBND"): a line breaks there without
a space; so does a line starting with a hyphen or slash glued to a word ("NĐ" +
"-CP"). A dash standing alone (" - ") keeps its spaces.

>>> join_wrapped(["Theo lộ trình KH số 220/KH-", "UBND, ngày", "23/10/2025"])
'Theo lộ trình KH số 220/KH-UBND, ngày 23/10/2025'
>>> join_wrapped(["- Kế hoạch: hàng năm. -", "BC kết quả", "giai đoạn 2026 -", "2030"])
'- Kế hoạch: hàng năm. - BC kết quả giai đoạn 2026 - 2030'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_GLUED_BREAK_RE = re.compile(r"[^\W_][-‐‑–—/]$")
_GLUED_START_RE = re.compile(r"[-‐‑/][^\W_]")


def join_wrapped(lines: Iterable[str]) -> str:
    """One text from wrapped lines (each already stripped of surrounding spaces)."""
    out = ""
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if not out:
            out = line
        elif (_GLUED_BREAK_RE.search(out) and line[0].isalnum()) or (
                out[-1].isalnum() and _GLUED_START_RE.match(line)):
            out += line
        else:
            out += " " + line
    return out


# Advance widths (in ems) of a Times-like serif font, the usual font of Vietnamese
# administrative documents: enough to tell whether a word would have fitted on a line.
_NARROW = set("fijlrt.,;:'!|()[]/")
_WIDE = set("mwMW%@")


def text_width(text: str) -> float:
    """Approximate printed width of ``text`` in ems (diacritics do not change a letter's width)."""
    total = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        if ch.isspace():
            total += 0.25
        elif ch in _NARROW:
            total += 0.3
        elif ch in _WIDE:
            total += 0.85
        elif ch.isupper():
            total += 0.7
        elif ch.isdigit() or ch.isalpha():
            total += 0.5
        else:
            total += 0.4
    return total

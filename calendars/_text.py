"""Text handling for deadline cells (private helper of :mod:`calendars._phrases`).

1. **Fold.**  The text is NFC-normalised by the caller, then folded character by
   character (lower case, Vietnamese diacritics removed, ``đ`` -> ``d``, every dash
   -> ``-``, every bullet -> ``•``).  Folding keeps one character per character, so
   a position in the folded text is a position in the original: matching is done
   on the folded text, and what is handed back is cut from the original.
2. **Masks.**  Document references ("KH số 220/KH-UBND, ngày 23/10/2025") are
   masked, so their numbers and dates are never read as deadlines.
3. **Fragments.**  Split on newlines and ``;``, on bullets ("- " at the start or
   after ". ", "•"), on " - " before a label, and on ". " when a label or a known
   phrase follows.  A fragment may start with a label: a short phrase (at most
   seven words, no digits) before ``:``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_BULLETS = "\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2219\u25cb\u25a0\u25a1\u25ba\u25b8\u2043\uf0b7"
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
MASK_CLAIMED = "\x00"  # blanked by a rule
MASK_DOCREF = "\x01"  # a document reference
MASKS = MASK_CLAIMED + MASK_DOCREF


def _fold_char(ch: str) -> str:
    if ch in _LINE_BREAKS:
        return "\n"
    if ch in _DASHES:
        return "-"
    if ch in _BULLETS:
        return "•"
    if ch == "\uff1a":
        return ":"
    if ch == "\uff1b":
        return ";"
    if ch.isspace() or unicodedata.category(ch) == "Cc":
        return " "
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
    if len(base) == 1:
        return base
    low = ch.lower()
    return low if len(low) == 1 else ch


class _FoldTable(dict):
    """A ``str.translate`` table that fills itself, one character to exactly one character."""

    def __missing__(self, code: int) -> str:
        out = self[code] = _fold_char(chr(code))
        return out


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no diacritics, same length as ``text`` (which must be NFC).

    >>> fold("Quý I/2026 – Hằng năm")
    'quy i/2026 - hang nam'
    """
    return text.translate(_FOLD)


# --------------------------------------------------------------- document references
_DATE_LOOSE = r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}|\d{1,2}\s+thang\s+\d{1,2}\s*,?\s+nam\s+\d{4}"
_DOC_NUMBERED = re.compile(
    r"(?:\bso\s*)?(?<![\w/])\d+(?:\s*/\s*\d{2,4})?\s*/\s*[a-z][a-z0-9\-&]*"
    rf"(?:\s*,?\s*(?:ban hanh\s+)?ngay\s+(?:{_DATE_LOOSE}))?"
)
_DOC_DATED = re.compile(
    r"\b(?:cong van|van ban|ke hoach|quyet dinh|thong bao|chi thi|nghi quyet|nghi dinh|thong tu"
    r"|huong dan|kh|qd|cv|tb)(?:\s+so\s*[^\s,;:]+)?\s*,?\s+ngay\s+"
    rf"(?:{_DATE_LOOSE})"
)
_DOC_CONTEXT = re.compile(r"\b(?:theo|can cu|tai)\b")


def mask_doc_refs(w: str) -> str:
    """Mask "số 220/KH-UBND, ngày 23/10/2025" and "theo Công văn ngày 05/01/2026" in the folded text."""
    spans = [m.span() for m in _DOC_NUMBERED.finditer(w)]
    for m in _DOC_DATED.finditer(w):
        if _DOC_CONTEXT.search(w, max(0, m.start() - 60), m.start()):
            spans.append(m.span())
    return blank(w, spans, MASK_DOCREF) if spans else w


def blank(w: str, spans: list[tuple[int, int]], ch: str) -> str:
    chars = list(w)
    for a, b in spans:
        chars[a:b] = ch * (b - a)
    return "".join(chars)


# --------------------------------------------------------------------- fragment split
_LABEL = re.compile(r"([^\d:;.\n\x00\x01•]{1,80}?)\s*:")
_LABEL_MAX_WORDS = 7
_MAX_BULLET_RUN = 16
_START = re.compile(
    r"(?:thuong xuyen|lien tuc|hang\s|moi\s|dinh ky|quy\s*(?:[ivx]+|\d)\b|thang\s+\d|nam\s+\d|tu\s|ke tu"
    r"|bat dau|trong\s+(?:nam|quy|thang|giai)|giai doan|\d|theo\s|can cu|sau\s|khi\s|ngay\s|truoc"
    r"|cham nhat|muon nhat|han chot|dot xuat|neu co|thuc hien\s|cuoi\s|nua\s)"
)
_SEGMENT_SEP = re.compile(r"[\n;]+")
_BULLET_SEP = re.compile(r"\.\s*[-+*]+\s+|\s*•+\s*")
_DASH_SEP = re.compile(r"\s+[-+*]\s+")
_SENTENCE_SEP = re.compile(r"\.\s+")
# " - " joins two meanings, except before a date-like token ("2026 - 2030", "Quý I - Quý II/2026").
JOIN_SEP = re.compile(r"\s+(?:va|hoac|&)\s+|\s*,\s*|\s+-\s+(?!\d|(?:quy|thang|ngay|nam|den)\b)")
_LEAD_JUNK = frozenset(" -+*•.,;:")
_TRAIL_JUNK = frozenset(" -+*•.,;")


def trim(w: str, a: int, b: int) -> tuple[int, int]:
    """The span without leading bullets/punctuation and trailing dots, commas, dashes."""
    while a < b and w[a] in _LEAD_JUNK:
        a += 1
    while b > a and w[b - 1] in _TRAIL_JUNK:
        b -= 1
    return a, b


def _skip_bullets(w: str, p: int, end: int) -> int | None:
    """``p`` past a few bullets and spaces; None after more of them than a real cell has before a word
    (each call then costs a bounded time, and a cell of thousands of dashes is read in linear time)."""
    limit = min(end, p + _MAX_BULLET_RUN)
    while p < limit and w[p] in " -+*•":
        p += 1
    return None if p == limit and p < end else p


def label_at(w: str, a: int, b: int) -> tuple[int, int, int] | None:
    """(label start, label end, body start) when the text at ``a`` starts with a label."""
    a = _skip_bullets(w, a, b)
    if a is None:
        return None
    m = _LABEL.match(w, a, b)
    if m is None:
        return None
    words = m.group(1).split()
    if not words or len(words) > _LABEL_MAX_WORDS or not any(c.isalpha() for c in m.group(1)):
        return None
    return a, a + len(m.group(1).rstrip()), m.end()


def split(
    w: str, a: int, b: int, rx: re.Pattern[str], accept: Callable[[int], bool] | None = None
) -> list[tuple[int, int]]:
    """Spans of ``w[a:b]`` between the matches of ``rx`` (those ``accept(match end)`` keeps)."""
    out, cur = [], a
    for m in rx.finditer(w[a:b]):
        start, end = a + m.start(), a + m.end()
        if accept is not None and not accept(end):
            continue
        out.append((cur, start))
        cur = end
    out.append((cur, b))
    return out


def _starts_sentence(w: str, p: int, end: int) -> bool:
    """After ". ": does a label or a known phrase start here (so the dot ends a fragment)?"""
    p = _skip_bullets(w, p, end)
    if p is None:
        return False
    return label_at(w, p, end) is not None or _START.match(w, p, end) is not None


def fragments(w: str) -> list[tuple[int, int]]:
    """Spans of the fragments of the folded cell ``w``, trimmed of bullets and trailing dots."""
    out = []
    for sa, sb in split(w, 0, len(w), _SEGMENT_SEP):
        for ba, bb in split(w, sa, sb, _BULLET_SEP):
            for da, db in split(w, ba, bb, _DASH_SEP, lambda p, end=bb: label_at(w, p, end) is not None):
                for fa, fb in split(w, da, db, _SENTENCE_SEP, lambda p, end=db: _starts_sentence(w, p, end)):
                    fa, fb = trim(w, fa, fb)
                    if fa < fb:
                        out.append((fa, fb))
    return out

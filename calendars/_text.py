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
4. **Shapes.**  What an element of a list looks like in the folded text ("Quý II",
   "III/2027", "10/12 hằng năm", "6 tháng", "các năm tiếp theo"), the separator between two
   chunks, and where brackets open; :mod:`calendars._phrases` gives them their meaning.

The messages a person reads about a text that is not understood are here too (Vietnamese).
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


MIN_YEAR = 1990
MAX_YEAR = 2100

# --------------------------------------------------------------------------- messages
# Everything a person reads is Vietnamese.
_SET = "đặt thời hạn bằng tay"
_HOW = "hãy " + _SET
_FIX = "hãy sửa lại hoặc " + _SET
MESSAGES = {
    "empty": "Ô thời hạn để trống: " + _HOW + ".",
    "too_long": (
        "Ô thời hạn dài {length} ký tự, quá {limit} ký tự một ô thời hạn có thể có: "
        "hãy kiểm tra tệp (có thể dán nhầm cột) hoặc " + _SET + "."
    ),
    "unknown": (
        "Không hiểu thời hạn “{text}”: hãy đặt loại mốc (cố định, hằng năm, "
        "thường xuyên, giai đoạn, chờ sự kiện) và ngày hạn bằng tay."
    ),
    "unplaced": "Có chi tiết thời gian chưa hiểu trong “{text}”: " + _HOW + ".",
    "no_body": "Nhãn “{label}” không có thời hạn đi kèm: " + _HOW + ".",
    "date": "Ngày không hợp lệ “{piece}”: " + _FIX + ".",
    "month": "Tháng không hợp lệ “{piece}” (chỉ có tháng 1–12): " + _FIX + ".",
    "quarter": "Quý không hợp lệ “{piece}” (chỉ có Quý I–IV): " + _FIX + ".",
    "year": (
        f"Năm không hợp lệ “{{piece}}” (chỉ nhận năm {MIN_YEAR}–{MAX_YEAR}): " + _FIX + "."
    ),
    "range": "Khoảng thời gian ngược “{piece}” (điểm đầu sau điểm cuối): " + _FIX + ".",
    "yearly_day": (
        "Hạn hằng năm vào một ngày cụ thể “{piece}” chưa được hỗ trợ: "
        "hãy đặt ngày hạn của từng năm bằng tay."
    ),
    "recurring_day": (
        "Hạn định kỳ vào một ngày cụ thể “{piece}” chưa được hỗ trợ: "
        "hãy đặt ngày hạn của từng kỳ bằng tay."
    ),
    "vague": "Mốc thời gian không rõ ngày “{piece}”: " + _HOW + ".",
    "mixed": (
        "Không rõ “{piece}” là quý hay tháng: " + _FIX + "."
    ),
    "after_plan": (
        "Hạn hằng năm “{piece}” bắt đầu sau năm cuối của kế hoạch ({year}): "
        + _HOW + "."
    ),
}


def quote(text: str, limit: int = 160) -> str:
    """Shorten ``text`` for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(code: str, **parts: str) -> str:
    return MESSAGES[code].format(**{k: quote(v) for k, v in parts.items()})


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
# " - " joins two meanings, except before a date-like token ("2026 - 2030", "Quý I - Quý II/2026",
# "Quý I - II/2027", "Q1 - Q2/2027").
JOIN_SEP = re.compile(
    r"\s+(?:va|hoac|&)\s+|\s*,\s*"
    r"|\s+-\s+(?!\d|(?:quy|thang|ngay|nam|den)\b|q\.?\s*\d|[ivx]+\s*(?:[/.\-]\s*)?(?:nam\s*)?\d{4})"
)
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


# ----------------------------------------------------------------- list shapes
LIST_GAPS = frozenset({",", "va", "&", ",va"})
ELEM = re.compile(  # a quarter or a month of a list; its kind word may be left out after the first
    r"(?:(?P<pre>cham nhat|muon nhat|han chot|vao|trong|truoc)\s+)?(?:(?P<kw>quy|q\.?|thang)\s*)?(?P<n>[ivx]+|\d{1,2})"
    r"(?:(?:\s*,?\s*(?:[/.\-]|nam)\s*|(?<=[ivx])\s*)(?P<y>\d{4})|(?P<rec>\s*(?:cua\s+)?(?:hang|moi)\s+nam))?"
)
DAY_ELEM = re.compile(
    r"(?:(?P<pre>truoc|cham nhat|muon nhat|han chot|vao)\s+)?(?:ngay\s+)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<mo>\d{1,2})"
    r"(?P<rec>\s*(?:cua\s+)?(?:hang|moi)\s+nam)?"
)
FOLLOW = re.compile(  # a reporting period of a list: "6 tháng", "năm", "hằng quý", "báo cáo năm"
    r"(?:(?:bao cao|bc)\s+)?(?:dinh ky\s+)?(?:(?:hang|moi)\s+)?(?P<u>quy|thang|ca nam|nam|6\s+thang|9\s+thang)"
)
PERIOD_DONOR = re.compile(  # a named period: "Năm 2027", "2027", "Quý II/2027", "tháng 6 năm 2027", "6/2027"
    r"(?:(?:cham nhat|muon nhat|han chot|vao|trong)\s+)?(?:(?:(?:cuoi\s+)?nam\s*)?(?P<y>\d{4})"
    r"|(?:cuoi\s+)?(?:quy|q\.?)\s*(?P<q>[ivx]+|\d{1,2})(?:\s*,?\s*(?:[/.\-]|nam)\s*|(?<=[ivx])\s*)(?P<qy>\d{4})"
    r"|thang\s*(?P<mo>\d{1,2})\s*,?\s*(?:[/.\-]|nam)\s*(?P<my>\d{4})|(?P<mo2>\d{1,2})\s*/\s*(?P<my2>\d{4}))"
)
DATE_DONOR = re.compile(
    r"(?:(?P<pre>truoc|cham nhat|muon nhat|han chot|vao)\s+)?(?:ngay\s+)?"
    r"(?:(?P<d>\d{1,2})\s*(?P<s>[/.\-])\s*(?P<mo>\d{1,2})\s*(?P=s)\s*(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<mo2>\d{1,2})\s*,?\s+nam\s+(?P<y2>\d{4}))"
)
NEXT_YEARS = re.compile(r"(?:cac|nhung)\s+nam\s+(?:tiep theo|tiep sau|ke tiep|sau(?:\s+do)?)")
EVERY_YEAR = re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+nam")
FROM_YEAR = re.compile(r"(?:bat dau\s+)?(?:ke\s+)?tu\s+(?:nam\s+)?(?P<y>\d{4})(?:\s+tro di)?")


def gap(w: str, left: tuple[int, int, object], right: tuple[int, int, object]) -> str:
    """The separator between two chunks, without spaces (",", "va", "-"...)."""
    return "".join(w[left[1] : right[0]].split())


def run(
    w: str, chunks: list[tuple[int, int, object]], i: int, rx: re.Pattern[str], stop: str | None = None
) -> list[re.Match[str]]:
    """The matches of ``rx`` over the chunks from ``i`` joined by "," or "và" (up to one with group ``stop``)."""
    out: list[re.Match[str]] = []
    j = i
    while j < len(chunks):
        e = rx.fullmatch(w, chunks[j][0], chunks[j][1])
        if e is None or (j > i and gap(w, chunks[j - 1], chunks[j]) not in LIST_GAPS):
            break
        out.append(e)
        j += 1
        if stop is not None and e[stop] is not None:
            break
    return out


# ------------------------------------------------------------------- brackets
def bracket_open(w: str, a: int, b: int) -> int | None:
    """Where the bracket that closes ``w[a:b]`` opens (None when the chunk does not end with one)."""
    if b - a < 2 or w[b - 1] != ")":
        return None
    depth = 0
    for p in range(b - 1, a - 1, -1):
        if w[p] == ")":
            depth += 1
        elif w[p] == "(":
            depth -= 1
            if depth == 0:
                return p
    return None


def outside_brackets(w: str, a: int, b: int) -> Callable[[int], bool] | None:
    """``accept`` for :func:`split`: a separator ending at ``p`` is not inside a bracket pair of ``w[a:b]``."""
    pairs, stack = [], []
    for p in range(a, b):
        if w[p] == "(":
            stack.append(p)
        elif w[p] == ")" and stack:
            pairs.append((stack.pop(), p))
    if not pairs:
        return None
    inside = bytearray(b - a)
    reach = -1
    for p, q in sorted(pairs):
        if q > reach:  # an outermost pair (a nested one lies within the previous)
            inside[p - a : q - a] = b"\x01" * (q - p)
            reach = q
    return lambda end: not inside[end - 1 - a]



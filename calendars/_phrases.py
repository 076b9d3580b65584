"""The grammar of deadline texts (private helper of :mod:`calendars.deadlines`).

The cell is folded, masked and cut into fragments by :mod:`calendars._text`; a
fragment may start with a label.  Then:

1. **Chunks.**  The body of a fragment is split on " và ", " hoặc ", ", " and
   " - " (but not before a date-like token, as in "2026 - 2030").
2. **Rules.**  Each chunk is matched against the rules of :mod:`calendars._rules`, most specific
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

import re
import unicodedata
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
from calendars._rules import _RULES, Item, Piece, _Bad, _month, _quarter, message

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


def _shared_recurrence(w: str, a: int, b: int, next_read: tuple[int, int, _Chunk] | None) -> list[Item]:
    """"Tháng 6 và tháng 12 hằng năm": a bare month or quarter shares the recurrence of the next chunk
    that reads as something (``next_read``)."""
    m = _BARE_UNIT.fullmatch(w, a, b)
    fa, fb, following = next_read or (0, 0, None)
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
    # The next chunk that reads as something, for each chunk (one pass from the end: linear in the cell).
    next_read: list[tuple[int, int, _Chunk] | None] = [None] * len(chunks)
    for i in range(len(chunks) - 2, -1, -1):
        later = chunks[i + 1]
        next_read[i] = later if later[2].items or later[2].problems else next_read[i + 1]
    # Each entry: [kind, start, due, month, tag, text_start, text_end]
    out: list[list] = []
    last_event: int | None = None  # index in `out` of the event made by the previous chunk
    for i, (ca, cb, chunk) in enumerate(chunks):
        text = s[ca:cb]
        problems.extend(chunk.problems)
        made_event: int | None = None
        items = chunk.items
        shared = not items and not chunk.problems and _shared_recurrence(w, ca, cb, next_read[i])
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


MAX_CELL = 2000  # characters; the longest deadline cell of the seed plans has a few hundred


def read(text: str) -> tuple[list[Piece], list[str]]:
    """Pieces and problems of one deadline cell.

    >>> pieces, problems = read("- Quý I/2026. - Báo cáo: hằng năm")
    >>> [(p.kind, p.label, p.due, p.month) for p in pieces], problems
    ([('fixed', None, datetime.date(2026, 3, 31), None), ('yearly', 'Báo cáo', None, 12)], [])
    """
    if len(text) > MAX_CELL:  # no real deadline is this long: not read at all, so a hostile cell costs nothing
        return [], [message("too_long", length=f"{len(text):,}".replace(",", "."), limit=f"{MAX_CELL:,}".replace(",", "."))]
    s = unicodedata.normalize("NFC", text)
    w = mask_doc_refs(fold(s))
    pieces: list[Piece] = []
    problems: list[str] = []
    for a, b in fragments(w):
        _read_fragment(s, w, a, b, pieces, problems)
    if not pieces and not problems:
        problems.append(message("empty"))
    return pieces, problems

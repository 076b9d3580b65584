"""The grammar of deadline texts (private helper of :mod:`calendars.deadlines`, which says what each
wording means).  The cell is folded, masked and cut into fragments by :mod:`calendars._text`; a fragment
may start with a label.  Then:

1. **Chunks.**  The body of a fragment is split on " và ", " hoặc ", ", " and
   " - " (but not before a date-like token, as in "2026 - 2030" or "Quý I - II/2027",
   and never inside brackets).
2. **Rules.**  Each chunk is matched against the rules of :mod:`calendars._rules`, most specific first;
   what a rule matched is blanked out so later rules cannot re-read it.  A bracket at the end of a
   chunk is a note when it holds no date (:func:`_read_chunk`).
3. **Neighbours.**  Lists ("Quý II, III/2027", "Trước ngày 10/6 và 10/12 hằng năm", "định kỳ quý,
   6 tháng, năm") and "Năm 2027 và các năm tiếp theo" are read over neighbouring chunks joined by
   "," or "và", in one pass (:func:`_regroup`).
4. **Residual.**  What no rule matched decides the rest: an event trigger
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

from calendars import _rules, _text
from calendars._rules import _RULES, Item, Piece, _Bad, _month, _quarter, message
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
    return _Chunk([it for _, it in found], problems, _CONDITIONAL.search(residual) is not None,
                  _REFERENCE.search(residual) is not None, _DATE_LIKE.search(residual) is not None)


def _clean(chunk: _Chunk) -> bool:
    """Read, and nothing else in it."""
    return bool(chunk.items) and not (chunk.problems or chunk.conditional or chunk.reference or chunk.date_like)


def _understood(items: list[Item], problems: list[str] | None = None) -> _Chunk:
    return _Chunk(items, problems or [], False, False, False)


def _read_chunk(s: str, w: str, a: int, b: int) -> _Chunk:
    """A chunk; "Năm 2027 (sau khi có hướng dẫn …)": a dated phrase and a bracketed condition without a date
    is read as the phrase, the condition being a note in its text.  A date inside such a condition is reported.
    "Hằng quý (trước ngày 15 tháng cuối quý)": a bracket saying when in each period of a bare cadence is read
    instead of the cadence."""
    p = _text.bracket_open(w, a, b)
    head = _analyse(s, w, *trim(w, a, p)) if p is not None and trim(w, a, p)[0] < p else None
    if head is None or not _clean(head) or any(it.kind not in ("fixed", "period", "yearly") for it in head.items):
        return _analyse(s, w, a, b)
    note, unplaced = s[p + 1 : b - 1].lower(), [message("unplaced", text=s[a:b])]
    if _DATE_LIKE.search(note) is None:
        return _understood(head.items)
    if _CONDITIONAL.search(note) or _REFERENCE.search(note):  # "Năm 2027 (sau khi có hướng dẫn năm 2026)"
        return _understood(head.items, unplaced)
    if all(it.tag == "cadence" for it in head.items):  # "Hằng quý (trước ngày 15 tháng cuối quý)"
        inner = _analyse(s, w, *trim(w, p + 1, b - 1))
        if _clean(inner) and all(it.kind == "yearly" for it in inner.items) and (
            {it.month for it in inner.items} == {it.month for it in head.items}
        ):
            return _understood(inner.items)
    whole, n = _analyse(s, w, a, b), len(head.items)
    if len(whole.items) > n and whole.items[:n] == head.items:  # "Năm 2027 (chậm nhất 30/6/2027)": which date?
        return whole._replace(problems=whole.problems + unplaced)
    return whole


# ------------------------------------------------------------------ meanings over neighbouring chunks
Span = tuple[int, int, _Chunk]


def _elem_kind(e: re.Match[str], prev: tuple[str, bool] | None) -> tuple[str, bool]:
    """("q" or "m", written in Roman numerals) of a list element; a bare numeral takes the previous element's."""
    roman = not e["n"].isdigit()
    if e["kw"] is not None:
        return ("m" if e["kw"] == "thang" else "q"), roman
    if prev is None or prev != (prev[0], roman) or (prev[0] == "m" and roman):
        raise _Bad("mixed")
    return prev


def _segment(elems: list[re.Match[str]], kinds: list[str], segment: list[int]) -> list[list[Item]]:
    """The items of list elements sharing the year or the recurrence of the last one."""
    e, found, last_month = elems[segment[-1]], [], 0
    for n in segment:
        if elems[n]["pre"] == "truoc":  # "trước Quý II, III/2027": before which?
            raise _Bad("vague")
        num = elems[n]["n"]
        month = 3 * _quarter(num) if kinds[n] == "q" else _month(num)
        if e["rec"] is not None:
            found.append([Item("yearly", month=month)])
            continue
        if month <= last_month:  # "Quý IV, I/2027": the fourth quarter of which year?
            raise _Bad("range")
        last_month = month
        q, mo = (num, None) if kinds[n] == "q" else (None, num)
        found.append([Item("fixed", due=_rules._bounds(_rules._year(e["y"]), q, mo)[1])])
    return found


def _unit_list(s: str, w: str, chunks: list[Span], i: int, out: list[Span]) -> int:
    """The list of quarters/months from chunk ``i``, looked at once; return how many chunks it took (0: none).
    What cannot be read in it (a bare element without a year after it, a kind that changes, a period before
    the previous one) keeps its own reading, so is flagged."""
    elems = _text.run(w, chunks, i, _text.ELEM)
    if all(e["kw"] is not None and (e["y"] or e["rec"]) for e in elems):
        return 0  # no list, or only complete periods (each read on its own)
    read: list[list[Item] | None] = [None] * len(elems)
    kinds, prev = [], None
    try:
        for e in elems:
            prev = _elem_kind(e, prev)
            kinds.append(prev[0])
    except _Bad:
        kinds = []
    segment: list[int] = []
    for k, e in enumerate(elems if len(set(kinds)) == 1 else ()):  # "tháng 12 và Quý I/2026": not a list
        segment.append(k)
        if e["y"] is None and e["rec"] is None:
            continue
        if len(segment) > 1 or e["kw"] is None:  # else a complete period on its own: its own reading
            try:
                read[segment[0] : k + 1] = _segment(elems, kinds, segment)
            except _Bad:
                pass
        segment = []
    out += [(ca, cb, chunk if its is None else _understood(its)) for (ca, cb, chunk), its in zip(chunks[i:], read)]
    return len(elems)


def _day_list(s: str, w: str, chunks: list[Span], i: int, out: list[Span]) -> int:
    """"Trước ngày 10/6 và 10/12 hằng năm": days sharing the recurrence (and "trước") of the list."""
    elems = _text.run(w, chunks, i, _text.DAY_ELEM, stop="rec")
    if len(elems) < 2:
        return 0
    found, pre = [], None
    try:
        for e in elems if elems[-1]["rec"] is not None else ():
            pre = e["pre"] or pre  # "Trước ngày 10/6 và 10/12": both before
            found.append(_rules.yearly_on_days([_rules.day_in_year(int(e["mo"]), int(e["d"]), pre == "truoc")],
                                               "yearly_day"))
    except _Bad:
        found = []
    out += [(ca, cb, _understood(its) if found else c) for (ca, cb, c), its in zip(chunks[i:], found or elems)]
    return len(elems)


def _period_list(s: str, w: str, chunks: list[Span], i: int, out: list[Span]) -> int:
    """"định kỳ quý, 6 tháng, năm": the months of every report of the list, each once, as one group."""
    ca, first = chunks[i][0], chunks[i][2]
    cadence = _clean(first) and all(it.kind == "yearly" and it.tag == "cadence" for it in first.items)
    if cadence and not (i + 1 < len(chunks) and _text.gap(w, chunks[i], chunks[i + 1]) in _text.LIST_GAPS):
        return 0
    units = _text.run(w, chunks, i + cadence, _text.FOLLOW)
    if cadence + len(units) < 2:
        return 0
    months = {it.month for it in first.items} if cadence else set()
    for u in units:
        months.update(it.month for it in _rules.cadence_of(u["u"]))
    j = i + cadence + len(units)
    out.append((ca, chunks[j - 1][1], _understood([Item("yearly", month=mo, tag="cadence") for mo in sorted(months)])))
    return j - i


def _named_period(w: str, span: Span) -> tuple[int, int | None, int, bool] | None:
    """(year, month, day, is a plain year) of a named period ("Năm 2027", "Quý II/2027") or date, or None."""
    m = _text.PERIOD_DONOR.fullmatch(w, span[0], span[1])
    if m is not None:
        if m["y"] is not None:
            return _rules._year(m["y"]), 12, None, True
        if m["q"] is not None:
            return _rules._year(m["qy"]), 3 * _quarter(m["q"]), None, False
        return _rules._year(m["my"] or m["my2"]), _month(m["mo"] or m["mo2"]), None, False
    m = _text.DATE_DONOR.fullmatch(w, span[0], span[1])
    if m is None:
        return None
    d, mo, y = (m["d"], m["mo"], m["y"]) if m["d"] is not None else (m["d2"], m["mo2"], m["y2"])
    return _rules._year(y), *_rules.day_in_year(int(mo), int(d), m["pre"] == "truoc"), False


def _names_period(w: str, span: Span) -> bool:
    try:
        return _named_period(w, span) is not None or bool(_text.ELEM.fullmatch(w, span[0], span[1]))
    except _Bad:
        return True


def _years_after(s: str, w: str, chunks: list[Span], i: int, out: list[Span]) -> int:
    """"Năm 2027 và các năm tiếp theo", "2027 và hằng năm", "Từ năm 2027, hằng năm": yearly from that year."""
    if i + 1 >= len(chunks):
        return 0
    (la, lb, _), (ra, rb, _) = left, right = chunks[i], chunks[i + 1]
    sep, listed = _text.gap(w, left, right), _text.gap(w, left, right) in _text.LIST_GAPS
    nxt, every = _text.NEXT_YEARS.fullmatch(w, ra, rb), _text.EVERY_YEAR.fullmatch(w, ra, rb)
    if not listed and sep != "-":
        return 0
    if (nxt or every) and i > 0 and _text.gap(w, chunks[i - 1], left) in _text.LIST_GAPS and (
        _names_period(w, left) and _names_period(w, chunks[i - 1])
    ):  # "Quý I/2027, Quý II/2027 và các năm tiếp theo": which of them recurs?
        out += [left, (ra, rb, _understood([], [message("unplaced", text=s[ra:rb])]))]
        return 2
    try:
        since = _text.FROM_YEAR.fullmatch(w, la, lb) if every else _text.FROM_YEAR.fullmatch(w, ra, rb)
        if listed and since and (every or _text.EVERY_YEAR.fullmatch(w, la, lb)):  # "Từ năm 2027, hằng năm"
            out.append((la, rb, _understood([Item("yearly", month=12, first_year=_rules._year(since["y"]))])))
            return 2
        named = _named_period(w, left)
        if named is None or not (listed and nxt or named[3] and every):
            return 0
        year, month, day, _ = named
        items = _rules.yearly_on_days([(month, day)], "yearly_day", first_year=year)
    except _Bad:
        return 0
    if sep == "-":  # "Năm 2026 - hằng năm": the year, then every year from it
        out += [left, (ra, rb, _understood(items))]
    else:
        out.append((la, rb, _understood(items)))
    return 2


_READERS = (_years_after, _day_list, _unit_list, _period_list)


def _regroup(s: str, w: str, chunks: list[Span]) -> list[Span]:
    """The chunks, with the meanings that span neighbouring chunks read (one pass: linear in the chunks)."""
    out: list[Span] = []
    i = 0
    while i < len(chunks):
        took = next((n for reader in _READERS if (n := reader(s, w, chunks, i, out))), 0)
        if not took:
            out.append(chunks[i])
        i += took or 1
    return out


_BARE_UNIT = re.compile(r"quy\s*(?P<q>[ivxlc]+|\d{1,2})|thang\s+(?P<mo>\d{1,2})")


def _shared_recurrence(w: str, a: int, b: int, next_read: Span | None) -> list[Item]:
    """"Tháng 6 và tháng 12 hằng năm": a bare month or quarter shares the recurrence of the next chunk
    that reads as something (``next_read``)."""
    m = _BARE_UNIT.fullmatch(w, a, b)
    fa, fb, following = next_read or (0, 0, None)
    if m is None or following is None or _BARE_UNIT.match(w, fa, fb) is None:
        return []
    if not following.items or any(it.kind != "yearly" for it in following.items):
        return []
    try:
        month = 3 * _quarter(m["q"]) if m["q"] is not None else _month(m["mo"])
    except _Bad:
        return []
    return [Item("yearly", month=month)]


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
    chunks: list[Span] = []
    for ca, cb in split(w, a, b, JOIN_SEP, _text.outside_brackets(w, a, b)):
        ca, cb = trim(w, ca, cb)
        if ca < cb:
            chunks.append((ca, cb, _read_chunk(s, w, ca, cb)))
    chunks = _regroup(s, w, chunks)
    # The next chunk that reads as something, for each chunk (one pass from the end: linear in the cell).
    next_read: list[Span | None] = [None] * len(chunks)
    for i in range(len(chunks) - 2, -1, -1):
        later = chunks[i + 1]
        next_read[i] = later if later[2].items or later[2].problems else next_read[i + 1]
    # Each entry: [kind, start, due, month, tag, text_start, text_end, day, first_year]
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
            items = [it for it in items if it.kind != "yearly"]
        for it in items:
            out.append([it.kind, it.start, it.due, it.month, it.tag, ca, cb, it.day, it.first_year])
        if chunk.conditional or (chunk.reference and not items):
            made_event = len(out)
            out.append(["event", None, None, None, None, ca, cb, None, None])
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
    for kind, start, due, month, _tag, ta, tb, day, first_year in out:
        text = s[ta:tb].strip()
        pieces.append(Piece(kind, text, label, start, due, month, day, first_year))


MAX_CELL = 2000  # characters; the longest deadline cell of the seed plans has a few hundred


def read(text: str) -> tuple[list[Piece], list[str]]:
    """Pieces and problems of one deadline cell.

    >>> pieces, problems = read("- Quý I/2026. - Báo cáo: hằng năm")
    >>> [(p.kind, p.label, p.due, p.month) for p in pieces], problems
    ([('fixed', None, datetime.date(2026, 3, 31), None), ('yearly', 'Báo cáo', None, 12)], [])
    >>> [(p.kind, p.due) for p in read("Quý II, III/2027")[0]]
    [('fixed', datetime.date(2027, 6, 30)), ('fixed', datetime.date(2027, 9, 30))]
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

"""A plan's metadata, read from the prose around its appendix: title, number, issuing unit, period.

Every format's prose (the text before the table, a .docx body, the cells above an
.xlsx table) goes through :func:`extract_metadata`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .model import clean_cell, fold, title_case

_MD_RE = re.compile(r"\*+|__|^#+\s*|^>\s*")
_LEVELS = ("thị trấn", "thị xã", "thành phố", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")
_LEVELS_FOLDED = {fold(x): x for x in _LEVELS}
_LEVEL_RE = re.compile(r"(" + "|".join(_LEVELS) + r")\s+(.+)", re.I | re.S)
_UNIT_IN_TITLE_RE = re.compile(
    r"(?<!\w)(" + "|".join(_LEVELS) + r")\s+(\w[\w'’.-]*(?:\s+\w[\w'’.-]*){0,4}?)"
    r"(?=\s+(?:giai đoạn|năm)(?!\w)|\s*[,(]|\s*$)", re.I)
_PERIOD_RE = re.compile(r"giai đoạn\s*(\d{4})\s*(?:-|–|—|đến)\s*(\d{4})", re.I)
_YEAR_RE = re.compile(r"(?<!\w)năm\s+(\d{4})(?!\d)", re.I)
_PLAN_WORD_RE = re.compile(r"kế hoạch", re.I)


def metadata_line(raw: str) -> str:
    """Clean one prose line: tags and markdown markers removed."""
    text = clean_cell(raw[:2000])
    return " ".join(_MD_RE.sub("", text).split())


@dataclass
class PlanMetadata:
    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    unit_name: str | None = None
    period_start: int | None = None
    period_end: int | None = None


def _doc_number(rest: str) -> str | None:
    text = re.sub(r"\s*/\s*", "/", rest.strip())
    token = text.split()[0].rstrip(",;.") if text.split() else ""
    if not token or token.startswith("/") or "/" not in token:
        return None
    return token


def _unit_from(level: str, name: str) -> tuple[str, str] | None:
    level_folded = fold(level)
    if level_folded not in _LEVELS_FOLDED:
        return None
    name = title_case(name.strip(" .,:;"))
    if not name or len(name) > 80:
        return None
    level_vn = _LEVELS_FOLDED[level_folded]
    return f"UBND {level_vn} {name}", f"{level_vn[:1].upper()}{level_vn[1:]} {name}"


def department_name(line: str) -> str:
    """A department's name as written in running text, from its capitalised header line.

    >>> department_name("SỞ KHOA HỌC VÀ CÔNG NGHỆ"), department_name("SỞ CÔNG THƯƠNG")
    ('Sở Khoa học và Công nghệ', 'Sở Công Thương')
    >>> department_name("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    'Sở Văn hóa, Thể thao và Du lịch'
    """
    words = unicodedata.normalize("NFC", " ".join(line.split())).lower().split()
    out = []
    for k, word in enumerate(words):
        after_link = k <= 1 or words[k - 1] == "và" or words[k - 1].endswith(",")
        out.append(word[:1].upper() + word[1:] if after_link else word)
    return " ".join(out).replace("Công thương", "Công Thương")


def _department_below(lines: list[str], i: int) -> tuple[str, str] | None:
    """A department ("SỞ NỘI VỤ") named under the province's header line: the plan is the department's."""
    for line in [x for x in lines[i + 1: i + 5] if x][:2]:
        if line.isupper() and fold(line).startswith("so ") and len(line) <= 80:
            name = department_name(line)
            return name, name
    return None


def _issuer_from_header(lines: list[str], i: int) -> tuple[str, str] | None:
    rest = lines[i][len("ỦY BAN NHÂN DÂN"):].strip() if fold(lines[i]).startswith(
        "uy ban nhan dan") else lines[i][4:].strip()
    candidates = [rest] if rest else [x for x in lines[i + 1: i + 4] if x][:3]
    for cand in candidates:
        if not (cand.isupper() or len(cand) <= 40):
            continue
        m = _LEVEL_RE.fullmatch(cand)
        if m:
            return _unit_from(m.group(1), m.group(2))
    return None


def _title_after(lines: list[str], i: int, limit: int) -> list[str]:
    out: list[str] = []
    j = i + 1
    while j < len(lines) and not lines[j] and j - i < 4:
        j += 1
    while j < len(lines) and lines[j] and len(out) < limit:
        f = fold(lines[j])
        if f.startswith(("uy ban nhan dan", "can cu", "thuc hien", "(")):
            break
        out.append(lines[j])
        j += 1
    return out


def _period(text: str) -> tuple[int, int] | None:
    m = _PERIOD_RE.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if 1900 <= a <= b <= 2200:
            return a, b
    m = _YEAR_RE.search(text)
    if m and 1900 <= int(m.group(1)) <= 2200:
        return int(m.group(1)), int(m.group(1))
    return None


def extract_metadata(raw_lines: Iterable[str]) -> PlanMetadata:
    """Title, number, issuer, unit and period from the prose before the table.

    >>> m = extract_metadata(["ỦY BAN NHÂN DÂN", "XÃ TRƯỜNG XUÂN", "", "Số: 04 /QĐ-UBND",
    ...     "QUYẾT ĐỊNH", "Ban hành Kế hoạch cải cách hành chính xã Trường Xuân",
    ...     "giai đoạn 2026 - 2030", ""])
    >>> m.title
    'Kế hoạch cải cách hành chính xã Trường Xuân giai đoạn 2026 - 2030'
    >>> m.number, m.issuer, m.unit_name, m.period_start, m.period_end
    ('04/QĐ-UBND', 'UBND xã Trường Xuân', 'Xã Trường Xuân', 2026, 2030)
    """
    lines = [metadata_line(x) for x in raw_lines]
    meta = PlanMetadata()
    decision_title = plan_heading = loose_title = None
    unit = None
    number_seen = False
    for i, line in enumerate(lines):
        if not line:
            continue
        f = fold(line)
        if unit is None and (f.startswith("uy ban nhan dan") or f.startswith("ubnd ")):
            unit = _department_below(lines, i) or _issuer_from_header(lines, i)
        elif not number_seen and re.match(r"so\s*:", f):
            number_seen = True
            meta.number = _doc_number(line.split(":", 1)[1])
        elif decision_title is None and f == "quyet dinh":
            parts = _title_after(lines, i, 3)
            joined = " ".join(parts)
            m = _PLAN_WORD_RE.search(joined)
            if m:
                decision_title = joined[m.start():]
        elif plan_heading is None and f == "ke hoach":
            parts = _title_after(lines, i, 2)
            if parts:
                rest = " ".join(parts)
                plan_heading = (f"{line} {rest}" if rest.isupper()
                                else f"{line[:1]}{line[1:].lower()} {rest[:1].lower()}{rest[1:]}")
        elif loose_title is None and i < 15 and f.startswith("ke hoach ") and not (
                f.startswith("ke hoach so")):
            loose_title = line
    title = decision_title or plan_heading or loose_title
    if title and len(title) <= 400:
        meta.title = title
        period = _period(title)
        if period:
            meta.period_start, meta.period_end = period
        if unit is None:
            m = _UNIT_IN_TITLE_RE.search(title)
            if m:
                unit = _unit_from(m.group(1), m.group(2))
    if meta.period_start is None:  # appendix caption just before the table
        tail = [x for x in lines if x][-4:]
        for line in reversed(tail):
            if "ke hoach" in fold(line) or "cai cach hanh chinh" in fold(line):
                period = _period(line)
                if period:
                    meta.period_start, meta.period_end = period
                    break
    if unit:
        meta.issuer, meta.unit_name = unit
    return meta

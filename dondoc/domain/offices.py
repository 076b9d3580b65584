"""Matching the office names written in plan cells to a unit's canonical offices.

A cell may name one office, several ("Tổ công tác Đề án 06; Công an xã."), a
bulleted list ("- Các đơn vị sự nghiệp giáo dục. - Các cơ quan liên quan.") or a
group phrase that stands for many offices ("Các phòng, ban, ngành, đơn vị cấp
xã"). Names are compared after :func:`normalize_name`, so spelling variants
("Văn Phòng HĐND và UBND", "Văn phòng HĐND&UBND xã", "Trung tâm Phục vụ HCC")
meet. A name that matches nothing is returned in ``unknown``: never dropped.

>>> normalize_name("Văn Phòng HĐND & UBND xã.")
'van phong hdnd va ubnd'
>>> split_office_cell("- Các đơn vị sự nghiệp giáo dục. - Các cơ quan liên quan.")
['Các đơn vị sự nghiệp giáo dục', 'Các cơ quan liên quan']
>>> split_office_cell("Tổ công tác Đề án 06; Công an xã.")
['Tổ công tác Đề án 06', 'Công an xã']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from dondoc.text import fold

_TRAILING_UNIT_WORDS = ("xa", "phuong", "thi tran", "dac khu", "tinh", "cap xa")
_BULLET = re.compile(r"(?:^|(?<=[.;\n]))\s*[-+•–]\s+")
_SEPARATORS = re.compile(r"[;\n]+")


def normalize_name(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """A comparison key for an office name or a group phrase."""
    text = fold(text).replace("&", " va ")
    text = re.sub(r"[^\w]+", " ", text).strip()
    key = " ".join(text.split())
    if abbreviations:
        key = _expand(key, tuple(sorted(abbreviations.items())))
    changed = True
    while changed and key:
        changed = False
        for tail in _TRAILING_UNIT_WORDS:
            if key.endswith(" " + tail):
                key = key[: -len(tail) - 1].rstrip()
                changed = True
    return key


@lru_cache(maxsize=32)
def _abbreviation_pattern(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    table = {}
    for short, long in pairs:
        folded = " ".join(re.sub(r"[^\w]+", " ", fold(short).replace("&", " va ")).split())
        if folded:
            table[folded] = fold(long)
    alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b"), table


def _expand(key: str, pairs: tuple[tuple[str, str], ...]) -> str:
    pattern, table = _abbreviation_pattern(pairs)
    return pattern.sub(lambda m: table[m.group(0)], key) if table else key


def split_office_cell(cell: str) -> list[str]:
    """The office names (or group phrases) written in one cell, in order."""
    text = _BULLET.sub("\n", cell.strip())
    parts = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip().strip(".").strip()
        if piece:
            parts.append(piece)
    return parts


@dataclass(frozen=True)
class OfficeRef:
    """One canonical office as the directory knows it."""

    key: int | str  # database id, or the canonical name before the office is stored
    name: str
    in_unit_group: bool = True


@dataclass
class Resolution:
    offices: list[OfficeRef] = field(default_factory=list)
    via_group: set[int | str] = field(default_factory=set)
    groups: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class OfficeDirectory:
    """The offices of one unit, and the names and group phrases that point to them."""

    def __init__(
        self,
        offices: Iterable[tuple[OfficeRef, Iterable[str]]],
        groups: Iterable[str] = (),
        abbreviations: Mapping[str, str] | None = None,
    ) -> None:
        self._abbreviations = dict(abbreviations or {})
        self._by_key: dict[str, OfficeRef] = {}
        self._offices: list[OfficeRef] = []
        for ref, aliases in offices:
            self._offices.append(ref)
            for alias in (ref.name, *aliases):
                key = self.key(alias)
                if key:
                    self._by_key.setdefault(key, ref)
        self._groups = {self.key(g) for g in groups if self.key(g)}

    def key(self, name: str) -> str:
        return normalize_name(name, self._abbreviations)

    @property
    def offices(self) -> list[OfficeRef]:
        return list(self._offices)

    def match(self, name: str) -> OfficeRef | None:
        return self._by_key.get(self.key(name))

    def is_group(self, name: str) -> bool:
        return self.key(name) in self._groups

    def group_members(self) -> list[OfficeRef]:
        return [o for o in self._offices if o.in_unit_group]

    def resolve(self, cell: str, exclude: Iterable[OfficeRef] = ()) -> Resolution:
        """Offices named by a cell. Group members already in ``exclude`` are left out."""
        result = Resolution()
        excluded = {o.key for o in exclude}
        seen: set[int | str] = set()

        def add(ref: OfficeRef, via_group: bool) -> None:
            if via_group and ref.key in excluded:
                return
            if ref.key in seen:
                if not via_group:
                    result.via_group.discard(ref.key)
                return
            seen.add(ref.key)
            result.offices.append(ref)
            if via_group:
                result.via_group.add(ref.key)

        for name in split_office_cell(cell):
            if self.is_group(name):
                result.groups.append(name)
                for ref in self.group_members():
                    add(ref, True)
                continue
            ref = self.match(name)
            if ref is not None:
                add(ref, False)
                continue
            # "A, B" listing several offices: accept only when every part matches.
            parts = [p.strip() for p in name.split(",") if p.strip()]
            refs = [self.match(p) for p in parts]
            if len(parts) > 1 and all(refs):
                for r in refs:
                    add(r, False)  # type: ignore[arg-type]
                continue
            if _looks_like_group(name):  # "Các phòng chuyên môn", "Các phòng, ban liên quan": many offices
                result.groups.append(name)
                for ref in self.group_members():
                    add(ref, True)
                continue
            result.unknown.append(name)
        return result


_GROUP_HEAD = re.compile(r"^cac\s+(?:phong|ban|nganh|co quan|don vi|bo phan)\b")
_NOT_OFFICES = re.compile(r"\b(?:hoi|doan the|mat tran|to chuc chinh tri)\b")


def _looks_like_group(name: str) -> bool:
    """A phrase for several of the unit's offices that the configuration does not list ("Các phòng chuyên môn
    thuộc UBND", "Các phòng, ban liên quan"); mass organisations ("Các hội, đoàn thể") are not offices of it.

    >>> _looks_like_group("Các phòng chuyên môn thuộc UBND phường"), _looks_like_group("Các hội, đoàn thể")
    (True, False)
    >>> _looks_like_group("Phòng Kinh tế"), _looks_like_group("Các trường mầm non")
    (False, False)
    """
    folded = fold(name).strip()
    return bool(_GROUP_HEAD.match(folded)) and not _NOT_OFFICES.search(folded)

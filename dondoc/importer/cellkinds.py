"""What a cell's text looks like: an office name, a deadline. Used to rebuild rows whose cells
arrive one per line with their wraps (a copy from a PDF viewer), see :mod:`dondoc.importer.cells`.

>>> office_like("Văn phòng HĐND và UBND xã."), office_like("- Phòng Kinh tế.")
(True, True)
>>> office_like("Ban hành các văn bản"), office_like("Phòng, chống tham nhũng")
(False, False)
>>> deadline_like("- Thường xuyên."), deadline_like("Quý I/2026"), deadline_like("Kế hoạch")
(True, True, False)
>>> deadline_like("Theo lịch của Thành phố (linh hoạt)"), deadline_like("Trong kỳ tới, tùy tình hình")
(True, True)
>>> known_offices("Các phòng, ban, ngành, đơn vị cấp xã."), known_offices("Phòng Quản lý công nghệ")
(True, False)
>>> product_like("Điểm số Chỉ số: Số hóa hồ sơ"), product_like("Quốc gia")
(True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache

from dondoc.domain.offices import split_office_cell

from .model import fold

_BULLET_RE = re.compile(r"^(?:[-+•–*]\s*)+")
# Words an office name (or a group of offices) starts with; "*" after a word: only when
# the next word is capitalised ("Phòng Kinh tế", not "Phòng, chống ...").
_OFFICE_HEADS = """
van phong | vp | phong* | trung tam | tt* | ttpvhcc | co quan | ban* | ban chi huy | ban quan ly
uy ban | ubnd | hdnd | hoi dong | hoi* | cong an | quan su | dang uy | doan* | mat tran | mttq
ubmttq | tram | truong* | to* | to cong tac | don vi | bo phan | chi cuc | so* | kho bac | ngan hang
buu dien | bhxh | bao hiem | chu tich | pho chu tich | cong chuc | can bo | thu truong | lanh dao
nguoi dung dau | thon | hop tac xa | htx | thanh tra | chi bo | chi nhanh | cuc | bo* | thuong truc
"""
_GROUP_SECOND = {"phong", "ban", "co", "don", "nganh", "to", "thanh", "truong", "tram", "thon", "xa",
                 "phuong", "hoi", "doan", "bo", "so", "dia", "cong", "chi", "hop", "trung", "uy", "ubnd"}
_HEADS: list[tuple[tuple[str, ...], bool]] = []
for _head in _OFFICE_HEADS.replace("\n", "|").split("|"):
    _head = _head.strip()
    if _head:
        _HEADS.append((tuple(_head.rstrip("*").split()), _head.endswith("*")))

_DEADLINE_RE = re.compile(
    r"thuong xuyen|hang (?:nam|quy|thang|tuan|ngay)|dinh ky|dot xuat|lien tuc|kip thoi"
    r"|\bquy [ivx1-4]+\b|\bthang \d|\bnam \d{4}|(?<!\d)(?:19|20)\d\d(?!\d)|\bngay \d|sau khi|khi co"
    r"|theo (?:lo trinh|ke hoach|huong dan|quy dinh|chi dao|yeu cau|tien do)|giai doan|tu nam|den nam"
    r"|bat dau|cham nhat|truoc ngay|ngay sau|theo lich|linh hoat|tuy (?:theo )?tinh hinh|trong ky"
    r"|khi can|ngay khi|cuoi (?:nam|quy|thang|ky)|dau (?:nam|quy|thang|ky)")


def _words(text: str, count: int = 6) -> tuple[list[str], list[str]]:
    """The first ``count`` words, as written and folded (no bullet)."""
    raw = _BULLET_RE.sub("", text.strip()).split(maxsplit=count)[:count]
    return raw, [fold(w).strip(",.;:()") for w in raw]


@lru_cache(maxsize=8192)
def office_like(text: str) -> bool:
    """The text starts like an office name or a group of offices."""
    raw, folded = _words(text)
    if not raw:
        return False
    if folded[0] == "cac" and len(folded) > 1 and folded[1] in _GROUP_SECOND:
        return True
    for head, needs_capital in _HEADS:
        n = len(head)
        if tuple(folded[:n]) == head and (not needs_capital or (len(raw) > n and raw[n][:1].isupper())):
            return True
    return False


_TIME_END_RE = re.compile(
    r"(?:thuong xuyen|hang (?:nam|quy|thang|tuan|ngay)|dinh ky|dot xuat|lien tuc|kip thoi"
    r"|quy [ivx1-4]+(?:/\d{4})?|(?:19|20)\d\d)$")


@lru_cache(maxsize=8192)
def ends_with_time(line: str) -> bool:
    """The line ends with a time, without punctuation after it ("Thường xuyên", "năm 2026")."""
    return bool(_TIME_END_RE.search(fold(line).strip()))


@lru_cache(maxsize=8192)
def deadline_like(text: str) -> bool:
    """The text names a time: a year, a quarter, "thường xuyên", "hằng năm", "sau khi ..."."""
    return bool(_DEADLINE_RE.search(fold(text)))


@lru_cache(maxsize=1)
def _directory():
    """Every office and group phrase of the built-in offices.yaml, all levels (None if unreadable)."""
    try:
        from dondoc.configuration.files import ConfigError, load_model
        from dondoc.configuration.tables import OfficesConfig
        from dondoc.domain.offices import OfficeDirectory, OfficeRef
    except ImportError:  # pragma: no cover - the package is always there
        return None
    try:
        config = load_model(OfficesConfig, "offices.yaml", None)
    except (ConfigError, OSError):
        return None
    entries, groups = [], []
    for level, spec in config.levels.items():
        for office in spec.offices:
            entries.append((OfficeRef(f"{level}:{office.name}", office.name),
                            [office.short_name or "", *office.aliases]))
        groups.extend(spec.groups)
    return OfficeDirectory(entries, groups, config.abbreviations)


@lru_cache(maxsize=4096)
def known_offices(text: str) -> bool:
    """Every name in the cell is an office, or a group phrase, listed in the built-in configuration."""
    directory = _directory()
    names = split_office_cell(text)
    if directory is None or not names:
        return False
    for name in names:
        if directory.is_group(name) or directory.match(name) is not None:
            continue
        parts = [p.strip() for p in name.split(",") if p.strip()]
        if len(parts) < 2 or not all(directory.match(p) for p in parts):
            return False
    return True


_PRODUCT_HEADS = {fold(x) for x in (
    "kế hoạch", "báo cáo", "quyết định", "văn bản", "công văn", "thông báo", "hội nghị", "điểm số",
    "chỉ số", "tỷ lệ", "danh mục", "đề án", "chương trình", "hướng dẫn", "tài liệu", "hệ thống",
    "cơ sở dữ liệu", "dịch vụ", "kết quả", "biên bản", "tờ trình", "nghị quyết", "chỉ thị", "phần mềm",
    "cổng thông tin", "trang thông tin", "số liệu", "mô hình", "sổ tay", "hồ sơ", "ứng dụng", "quy chế",
    "kh", "bc", "qđ", "đề xuất", "sản phẩm", "bản đồ", "video", "tin bài")}


@lru_cache(maxsize=8192)
def product_like(text: str) -> bool:
    """The text starts like a product of an item ("Kế hoạch", "Báo cáo", "Quyết định" ...)."""
    _, folded = _words(text)
    return any(" ".join(folded[:n]) in _PRODUCT_HEADS for n in (1, 2, 3))

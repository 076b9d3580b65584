"""The compact status: what a person reads first, in an 80-column terminal or on the Prefect status run.

Totals in items ("nhiệm vụ": each item counted once, at its most urgent due date), the overdue and the
due-soon lists (one line each: ``Mục 37  <text cut to fit>  <office>  <date>``), then per lead office (or
per area) how many items are in each state, "chờ" and "thường xuyên" included. Plain lines, each with a
style name, so the command line colours them and the Prefect status run publishes the very same lines.

Over many units (a province's communes), the thousands of rows are not listed: the items overdue longest
(with their commune), then one row per commune ranked by overdue share as the province's page ranks them,
the worst first, cut to what a screen holds.

>>> from datetime import date
>>> fit("Rà soát, hệ thống hóa văn bản quy phạm pháp luật", 24)
'Rà soát, hệ thống hóa…'
>>> fit("ngắn", 10)
'ngắn'
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from dondoc.domain.labels import short_plan_title, short_unit_name
from dondoc.domain.status import Shown
from dondoc.storage.statusrun import item_rows
from dondoc.text import area_order, slugify

LIST_LIMIT = 20  # lines per list before "… và N mốc khác"
PROVINCE_OVERDUE = 10  # items overdue longest, over many units
PROVINCE_UNITS = 25  # commune rows, over many units
OFFICE_WIDTH = 16  # the office column of the lists
NAME_WIDTH = 26  # the name column of the count table
NUMBER_WIDTH = 8
MIN_TEXT = 12
UNIT_TABLES = 3  # above this many units, the count table has one row per unit


@dataclass(frozen=True)
class Line:
    """One line of text; ``style`` is "title", "heading", "unit", "muted", a :class:`Shown` value, or None."""

    text: str
    style: str | None = None


# The count table's columns: two header lines and the shown states they count.
COUNT_COLUMNS: tuple[tuple[str, str, tuple[Shown, ...]], ...] = (
    ("Quá", "hạn", (Shown.OVERDUE,)),
    ("Sắp đến", "hạn", (Shown.DUE_SOON,)),
    ("Trong", "hạn", (Shown.ON_TRACK,)),
    ("Hoàn", "thành", (Shown.DONE_LATE, Shown.DONE_ON_TIME)),
    ("Chờ", "", (Shown.AWAITING,)),
    ("Thường", "xuyên", (Shown.CONTINUOUS,)),
    ("Chưa có", "hạn", (Shown.UNSET,)),  # "chưa xác định thời hạn": no due date until a person sets one
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def fit(text: str, width: int) -> str:
    """``text`` on one line, cut at a word to ``width`` characters with "…"."""
    text = _nfc(text)
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–") + "…"


def _pad(text: str, width: int, right: bool = False) -> str:
    text = fit(text, width)
    return text.rjust(width) if right else text.ljust(width)


def item_states(rows) -> dict[int, Shown]:
    """Item id -> the item's most urgent shown state (each item counted once, as the pages count it)."""
    return {row.item_id: row.shown for row in item_rows(rows)}


def _vn(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def compact_lines(report, *, width: int = 80, codes: bool = False, by_area: bool = False,
                  limit: int = LIST_LIMIT) -> list[Line]:
    """The compact status of ``report`` (a :class:`dondoc.storage.statusrun.StatusReport`) as lines of at most
    ``width`` characters. ``codes`` names items by their plan code (for commands) instead of "Mục 37"."""
    width = max(width, 64)
    lines = [Line(f"Tình hình thực hiện tính đến ngày {_vn(report.as_of)}", "title")]
    if not report.rows:
        return lines + [Line("Không có nhiệm vụ nào phù hợp.")]
    worst = item_states(report.rows)
    units = sorted({r.unit for r in report.rows})
    counts = {s: sum(1 for v in worst.values() if v is s) for s in Shown}
    where = f" của {len(units)} đơn vị" if len(units) > 1 else f" của {units[0]}"
    lines.append(Line(f"Tổng: {len(worst)} nhiệm vụ{where}", "heading"))
    parts = [f"{s.label} {counts[s]}" for s in Shown if s is not Shown.UNSET or counts[s]]
    lines += [Line("  " + text) for text in _wrap(parts, " · ", width - 2)]
    lines.append(Line(""))
    if len(units) > UNIT_TABLES:
        return lines + _province_lines(report, worst, width, codes, by_area)
    lines += _list_lines(report, Shown.OVERDUE, "Quá hạn", width, codes, limit)
    lines += _list_lines(report, Shown.DUE_SOON, "Sắp đến hạn", width, codes, limit)
    if counts[Shown.UNSET]:
        lines += _list_lines(report, Shown.UNSET, "Chưa xác định thời hạn (đặt hạn: dondoc review)", width, codes,
                             limit)
    lines += _count_lines(report, worst, width, by_area)
    lines.append(Line("Bảng đầy đủ từng mốc: dondoc status --all", "muted"))
    return lines


def _wrap(parts: list[str], sep: str, width: int) -> list[str]:
    out, current = [], ""
    for part in parts:
        candidate = f"{current}{sep}{part}" if current else part
        if current and len(candidate) > width:
            out.append(current)
            candidate = part
        current = candidate
    return out + ([current] if current else [])


def _group_key(row, plans_per_unit: dict[str, set[str]]) -> str:
    if len(plans_per_unit[row.unit]) > 1:
        return f"{row.unit} · {short_plan_title(row.plan_title)}"
    return row.unit


def _list_lines(report, shown: Shown, title: str, width: int, codes: bool, limit: int) -> list[Line]:
    rows = [r for r in report.rows if r.shown is shown]
    if not rows:
        return [Line(f"{title}: không có.", "heading"), Line("")]
    items = len({r.item_id for r in rows})
    count = f"{items} nhiệm vụ" if items == len(rows) else f"{len(rows)} mốc của {items} nhiệm vụ"
    lines = [Line(f"{title}: {count}", "heading")]
    plans_per_unit: dict[str, set[str]] = defaultdict(set)
    for r in report.rows:
        plans_per_unit[r.unit].add(r.plan)
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(_group_key(r, plans_per_unit), []).append(r)
    several = len(groups) > 1
    shown_rows = 0
    label_width = max(len(r.item if codes else r.item_label) for r in rows)
    office_width = min(OFFICE_WIDTH, max(len(_office(r, report)) for r in rows))
    text_width = max(MIN_TEXT, width - 2 - label_width - 2 - 2 - office_width - 2 - 10)
    for name, group in groups.items():
        if shown_rows >= limit:
            break
        if several:
            lines.append(Line(f" {name}", "unit"))
        for r in group:
            if shown_rows >= limit:
                break
            text = f"{r.label}: {r.content}" if r.label else r.content
            due = r.extended_due or r.effective_due
            lines.append(Line(
                f"  {_pad(r.item if codes else r.item_label, label_width)}  {_pad(text, text_width)}  "
                f"{_pad(_office(r, report), office_width)}  {_vn(due)}".rstrip(), shown.value))
            shown_rows += 1
    if len(rows) > shown_rows:
        lines.append(Line(f"  … và {len(rows) - shown_rows} mốc khác (dondoc status --all)", "muted"))
    return lines + [Line("")]


def _office(row, report) -> str:
    if not row.lead:
        return "Chưa xác định"
    first = report.office_short.get(row.lead[0]) or row.lead[0]
    return first + (f" +{len(row.lead) - 1}" if len(row.lead) > 1 else "")


def _count_lines(report, worst: dict[int, Shown], width: int, by_area: bool) -> list[Line]:
    """Counts per office (or area) of each unit; with more than ``UNIT_TABLES`` units, one row per unit
    (per area over all units with ``by_area``) so that a province's status stays short."""
    columns = [c for c in COUNT_COLUMNS if c[2] != (Shown.UNSET,) or any(v is Shown.UNSET for v in worst.values())]
    columns.append(("Tổng", "", tuple(Shown)))
    name_width = max(12, min(NAME_WIDTH, width - 2 - len(columns) * NUMBER_WIDTH))
    many = len({r.unit for r in report.rows}) > UNIT_TABLES
    tables: dict[str, dict[str, dict[int, Shown]]] = {}
    for row in report.rows:
        if by_area:
            names = [f"{row.area_code}. {row.area}" if row.area_code else "(không thuộc lĩnh vực)"]
        elif many:
            names = [row.unit if len(row.unit) <= name_width else short_unit_name(row.unit)]
        else:
            names = [n if len(n) <= name_width else report.office_short.get(n) or n
                     for n in row.lead] or ["Chưa xác định cơ quan"]
        for name in names:
            tables.setdefault("" if many else row.unit, {}).setdefault(name, {})[row.item_id] = worst[row.item_id]
    what = "lĩnh vực" if by_area else "đơn vị" if many else "cơ quan chủ trì"
    lines = [Line(f"Theo {what} (số nhiệm vụ)", "heading")]
    head_top = "  " + " " * name_width + "".join(c[0].rjust(NUMBER_WIDTH) for c in columns)
    label = "Cơ quan" if what == "cơ quan chủ trì" and name_width < len(what) else what[0].upper() + what[1:]
    head_bottom = "  " + label.ljust(name_width)[:name_width] + \
        "".join(c[1].rjust(NUMBER_WIDTH) for c in columns)
    for unit in sorted(tables, key=slugify):
        if len(tables) > 1:
            lines.append(Line(unit if len(unit) <= width else short_unit_name(unit), "unit"))
        lines += [Line(head_top.rstrip(), "muted"), Line(head_bottom.rstrip(), "muted")]
        groups = tables[unit]

        def order(name: str) -> tuple:
            states = list(groups[name].values())
            if by_area:
                return area_order(name)
            return (-states.count(Shown.OVERDUE), -states.count(Shown.DUE_SOON), slugify(name))

        for name in sorted(groups, key=order):
            states = list(groups[name].values())
            cells = "".join(str(sum(states.count(s) for s in c[2])).rjust(NUMBER_WIDTH) for c in columns)
            lines.append(Line(f"  {_pad(name, name_width)}{cells}"))
        lines.append(Line(""))
    if many and not by_area:
        lines.append(Line('Theo cơ quan chủ trì của một đơn vị: dondoc status --unit "<tên đơn vị>"', "muted"))
    return lines


def _unit_name(name: str, width: int) -> str:
    return name if len(name) <= width else short_unit_name(name)


def _province_lines(report, worst: dict[int, Shown], width: int, codes: bool, by_area: bool) -> list[Line]:
    """Over many units: the items overdue longest, then the units ranked by overdue share (or, with
    ``by_area``, the count table per area), then one line for the due soon and the deadlines unread."""
    from dondoc.usecases.province import MemberTotals

    first = item_rows(report.rows)
    members: dict[str, MemberTotals] = {}
    for row in first:
        members.setdefault(row.unit, MemberTotals(0, row.unit)).add(row.shown, row.days_overdue)
    overdue = [r for r in first if r.shown is Shown.OVERDUE]
    lines: list[Line] = []
    if overdue:
        late_units = len({r.unit for r in overdue})
        lines.append(Line(f"Quá hạn lâu nhất: {len(overdue)} nhiệm vụ quá hạn ở {late_units} đơn vị", "heading"))
        unit_width, label_width = 16, max(len(r.item if codes else r.item_label) for r in overdue[:PROVINCE_OVERDUE])
        text_width = max(MIN_TEXT, width - 2 - unit_width - 2 - label_width - 2 - 2 - 10 - 2 - 9)
        for r in overdue[:PROVINCE_OVERDUE]:
            due = r.extended_due or r.effective_due
            lines.append(Line(
                f"  {_pad(short_unit_name(r.unit), unit_width)}  {_pad(r.item if codes else r.item_label, label_width)}"
                f"  {_pad(r.content, text_width)}  {_vn(due)}  {r.days_overdue:>4} ngày".rstrip(), Shown.OVERDUE.value))
        if len(overdue) > PROVINCE_OVERDUE:
            lines.append(Line(f"  … và {len(overdue) - PROVINCE_OVERDUE} nhiệm vụ quá hạn khác (dondoc status --all)",
                              "muted"))
    else:
        lines.append(Line("Quá hạn: không có.", "heading"))
    lines.append(Line(""))
    if by_area:
        lines += _count_lines(report, worst, width, by_area)
    else:
        lines += _member_lines(sorted(members.values(), key=MemberTotals.rank_key), width)
    soon = [r for r in first if r.shown is Shown.DUE_SOON]
    if soon:
        lines.append(Line(f"Sắp đến hạn: {len(soon)} nhiệm vụ ở {len({r.unit for r in soon})} đơn vị "
                          "(danh sách: dondoc status --all)", "heading"))
    unset = [r for r in first if r.shown is Shown.UNSET]
    if unset:
        lines.append(Line(f"Chưa xác định thời hạn: {len(unset)} nhiệm vụ (đặt hạn: dondoc review)", "heading"))
    lines.append(Line("Bảng đầy đủ từng mốc: dondoc status --all", "muted"))
    return lines


# The columns of the units' table: two header lines and the figure of a unit.
MEMBER_COLUMNS = (
    ("Nhiệm", "vụ", lambda m: str(m.items)),
    ("Quá", "hạn", lambda m: str(m.overdue)),
    ("Sắp đến", "hạn", lambda m: str(m.due_soon)),
    ("Hoàn", "thành", lambda m: str(m.done)),
    ("Chờ", "", lambda m: str(m.awaiting)),
    ("Tỷ lệ", "quá hạn", lambda m: m.share_text),
)


def _member_lines(members, width: int) -> list[Line]:
    """One row per unit, worst overdue share first, cut to ``PROVINCE_UNITS`` rows."""
    name_width = max(12, min(NAME_WIDTH, width - 2 - len(MEMBER_COLUMNS) * NUMBER_WIDTH))
    lines = [Line("Theo đơn vị (số nhiệm vụ)", "heading"),
             Line("  Xếp theo tỷ lệ quá hạn (số quá hạn / số nhiệm vụ), cao nhất trước", "muted"),
             Line(("  " + " " * name_width + "".join(c[0].rjust(NUMBER_WIDTH) for c in MEMBER_COLUMNS)).rstrip(),
                  "muted"),
             Line(("  " + "Đơn vị".ljust(name_width) + "".join(c[1].rjust(NUMBER_WIDTH) for c in MEMBER_COLUMNS))
                  .rstrip(), "muted")]
    for member in members[:PROVINCE_UNITS]:
        cells = "".join(c[2](member).rjust(NUMBER_WIDTH) for c in MEMBER_COLUMNS)
        lines.append(Line(f"  {_pad(_unit_name(member.name, name_width), name_width)}{cells}",
                          Shown.OVERDUE.value if member.overdue else None))
    rest = members[PROVINCE_UNITS:]
    if rest:
        late = sum(1 for m in rest if m.overdue)
        more = f", {late} có nhiệm vụ quá hạn" if late else ", không đơn vị nào có nhiệm vụ quá hạn"
        lines.append(Line(f"  … và {len(rest)} đơn vị khác{more}", "muted"))
    lines.append(Line('  Một đơn vị: dondoc status --unit "<tên đơn vị>"', "muted"))
    lines.append(Line(""))
    return lines

"""Deadline cells in the wider wording of commune and ward plans (fixtures/deadline_cells_wider.tsv).

Each line of the fixture is a cell and its reading, written by hand from the meaning
(docs/domain.md and ../shared/domain/DOMAIN.md): lists and ranges of periods, Q-numbers,
report-period lists, days inside a recurrence, "… và các năm tiếp theo", weeks,
bracketed conditions and common typos, and cells that must stay flagged.  The optional
third column is the reading now that a yearly milestone may fall on a given day
(``calendars._rules.YEARLY_DAYS``); the second is the reading with that switched off (flagged).
"""

from __future__ import annotations

import doctest
import re
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr

from calendars import _rules
from calendars.deadlines import (
    Deadline,
    Milestone,
    MilestoneKind,
    due_dates,
    parse_deadline,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "deadline_cells_wider.tsv"
PLAN = {"plan_start_year": 2026, "plan_end_year": 2030}
REVIEW = "REVIEW"


def fixture_lines() -> list[tuple[int, str, str, str]]:
    """(line number, cell, expected, expected with yearly days) of the fixture."""
    out = []
    for number, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) in (2, 3), f"line {number}: cell<TAB>expected[<TAB>expected with days]"
        out.append((number, cols[0], cols[1], cols[2] if len(cols) == 3 else cols[1]))
    return out


LINES = fixture_lines()


def _date(text: str) -> date:
    return date.fromisoformat(text)


def expected_milestones(spec: str) -> list[tuple]:
    """"Báo cáo: yearly 03,06-09 from 2027; fixed 2027-06-30" -> (kind, label, start, due, month, day, first year)."""
    out = []
    for part in spec.split("; "):
        label, _, desc = part.rpartition(": ")
        label = label or None
        kind, _, rest = desc.partition(" ")
        if kind == "fixed":
            out.append(("fixed", label, None, _date(rest), None, None, None))
        elif kind == "period":
            a, b = rest.split("..")
            out.append(("period", label, _date(a), _date(b), None, None, None))
        elif kind == "continuous":
            start = _date(rest.removeprefix("from ")) if rest else None
            out.append(("continuous", label, start, None, None, None, None))
        elif kind == "event":
            assert not rest
            out.append(("event", label, None, None, None, None, None))
        elif kind == "yearly":
            months, _, first = rest.partition(" from ")
            first_year = int(first) if first else PLAN["plan_start_year"]
            for one in months.split(","):
                month, _, day = one.partition("-")
                for m in range(1, 13) if month == "*" else [int(month)]:
                    out.append(("yearly", label, date(first_year, 1, 1), None, m, int(day) if day else None, first_year))
        else:
            raise AssertionError(f"unknown kind in {spec!r}")
    return out


def actual_milestones(d: Deadline) -> list[tuple]:
    return [(m.kind.value, m.label, m.start, m.due, m.month, m.day, m.first_year) for m in d.milestones]


def check_consistent(d: Deadline) -> None:
    """What every reading must satisfy (as the property tests check on generated input)."""
    assert d.needs_review == (bool(d.problems) or not d.milestones)
    assert all("bằng tay" in p for p in d.problems), d.problems  # says what to set by hand
    for m in d.milestones:
        assert m.text and m.text == m.text.strip()
        if m.kind is MilestoneKind.YEARLY:
            assert 1 <= m.month <= 12 and m.due is None and m.last_year == PLAN["plan_end_year"]
            assert m.day is None or _rules.YEARLY_DAYS
            got = [x.date() for x in rrulestr(m.rrule, dtstart=datetime(m.first_year, 1, 1))]
            assert got == due_dates(m, date(2026, 1, 1), date(2030, 12, 31))
            assert got and all(x.month == m.month for x in got)
        else:
            assert m.day is None and m.first_year is None and m.rrule is None
        if m.kind is MilestoneKind.FIXED:
            assert m.due is not None and m.start is None
        elif m.kind is MilestoneKind.PERIOD:
            assert m.start is not None and m.due is not None and m.start <= m.due


def check(cell: str, expected: str) -> None:
    d = parse_deadline(cell, **PLAN)
    assert d.text == cell
    check_consistent(d)
    if expected == REVIEW:
        assert d.needs_review and d.problems, actual_milestones(d)
    else:
        assert d.problems == () and not d.needs_review, d.problems
        assert actual_milestones(d) == expected_milestones(expected)


@pytest.mark.parametrize(("number", "cell", "expected", "_"), LINES, ids=[f"L{n}" for n, *_ in LINES])
def test_wider_cell_without_yearly_days(monkeypatch, number, cell, expected, _):
    """The reading with given days switched off: those cells are flagged (the rest reads the same)."""
    monkeypatch.setattr(_rules, "YEARLY_DAYS", False)
    check(cell, expected)


@pytest.mark.parametrize(("number", "cell", "_", "expected"), LINES, ids=[f"L{n}" for n, *_ in LINES])
def test_wider_cell(number, cell, _, expected):
    """The reading: milestones may fall on a given day of the month."""
    check(cell, expected)


def test_fixture_is_wide_enough():
    assert len(LINES) >= 150
    assert len({cell for _, cell, _, _ in LINES}) == len(LINES)  # no cell twice
    review = sum(expected == REVIEW for _, _, expected, _ in LINES)
    assert review >= 40


def test_a_yearly_milestone_on_a_given_day():
    m = Milestone(MilestoneKind.YEARLY, None, "x", start=date(2026, 1, 1), month=6, first_year=2026, last_year=2030, day=9)
    assert m.rrule == "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=9;UNTIL=20301231"
    assert due_dates(m, date(2026, 1, 1), date(2027, 12, 31)) == [date(2026, 6, 9), date(2027, 6, 9)]
    feb = Milestone(MilestoneKind.YEARLY, None, "x", month=2, day=29)  # as RFC 5545: only the years that have it
    assert due_dates(feb, date(2026, 1, 1), date(2029, 12, 31)) == [date(2028, 2, 29)]


def test_yearly_from_a_named_year_without_plan_years():
    m = parse_deadline("Năm 2027 và các năm tiếp theo").milestones[0]
    assert (m.kind, m.month, m.first_year, m.last_year, m.start) == (MilestoneKind.YEARLY, 12, 2027, None, date(2027, 1, 1))
    assert m.rrule == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1"


def test_yearly_after_the_plan_is_flagged():
    d = parse_deadline("Năm 2031 và các năm tiếp theo", **PLAN)
    assert d.needs_review and d.milestones == ()
    assert "2031" in d.problems[0] and "(2030)" in d.problems[0]


def test_the_day_message_says_it_is_not_supported_when_switched_off(monkeypatch):
    monkeypatch.setattr(_rules, "YEARLY_DAYS", False)
    for cell in ("Trước ngày 10/6 và 10/12 hằng năm", "trước ngày 15 tháng cuối quý", "Trước ngày 22 hằng tháng"):
        d = parse_deadline(cell, **PLAN)
        assert any("chưa được hỗ trợ" in p for p in d.problems), d.problems


def test_bracketed_condition_is_kept_as_a_note():
    d = parse_deadline("Năm 2027 (khi có hướng dẫn, chỉ đạo của cấp trên)", **PLAN)
    assert [m.text for m in d.milestones] == ["Năm 2027 (khi có hướng dẫn, chỉ đạo của cấp trên)"]


def test_list_elements_keep_their_own_words():
    d = parse_deadline("Quý II, III/2027", **PLAN)
    assert [m.text for m in d.milestones] == ["Quý II", "III/2027"]
    d = parse_deadline("Báo cáo định kỳ hằng quý, 6 tháng, năm", **PLAN)
    assert {m.text for m in d.milestones} == {"Báo cáo định kỳ hằng quý, 6 tháng, năm"}


@pytest.mark.parametrize(
    "piece",
    ["Quý I, ", "Quý II, III/2027, ", "6 tháng, ", "trước ngày 10/6 và ", "Năm 2027 và các năm tiếp theo, ",
     "(sau khi có hướng dẫn, ", "Tháng 4 - 5/2027 - ", "Q3/2027 và ", "tuần cuối tháng 3/2026, ", "II, "],
)
def test_long_cells_of_the_new_forms_read_in_linear_time(piece):
    """Cells up to the length limit, repeating the new forms, read fast and never raise."""
    short, long = (piece * 200)[:495], (piece * 1000)[:1990]
    started = time.perf_counter()
    parse_deadline(short, **PLAN)
    t_short = time.perf_counter() - started
    started = time.perf_counter()
    d = parse_deadline(long, **PLAN)
    t_long = time.perf_counter() - started
    check_consistent(d)
    assert t_long < max(0.5, 12 * t_short)  # about 4x the text: far from quadratic


def test_rules_docstring_examples():
    result = doctest.testmod(_rules, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_pattern_of_expected_descriptions():
    assert expected_milestones("yearly 03-14,06 from 2027")[0] == ("yearly", None, date(2027, 1, 1), None, 3, 14, 2027)
    assert len(expected_milestones("yearly *-21")) == 12
    assert re.fullmatch(r"[^\t]+", LINES[0][1])

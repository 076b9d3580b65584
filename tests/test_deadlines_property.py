"""Properties of the deadline engine, checked on generated input (Hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars import _rules
from calendars.deadlines import (
    Deadline,
    Milestone,
    MilestoneKind,
    due_dates,
    parse_deadline,
)
from calendars.workdays import WorkCalendar

# conftest.py has an autouse, function-scoped fixture; it does not touch the engine.
SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=300)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "deadline_phrases.txt"
PHRASES = [ln for ln in FIXTURE.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
PIECES = [
    "Thường xuyên", "Hằng năm", "hàng năm", "Quý I/2026", "Quý IV", "quý 5/2026", "Năm 2026", "năm 20266",
    "tháng 12", "tháng 13/2026", "ngày 31/02/2026", "15/01/2026", "trước ngày", "chậm nhất", "Kế hoạch:", "KH:",
    "Báo cáo kết quả:", "Thông báo, kết luận:", "theo hướng dẫn của Sở Nội vụ", "sau khi", "khi", "đột xuất",
    "(nếu có)", "Ngay sau", "Giai đoạn 2026 - 2030", "2030 - 2026", "Trong năm 2026", "Từ năm 2026",
    "Bắt đầu từ", "KH số 220/KH-UBND, ngày 23/10/2025", "6 tháng đầu năm", "đầu năm", "hằng quý", "Tuần sau",
    "abc", "-", "+", "•", ":", ".", ",", ";", "/", "–", "—", "\n", " ", "và", "hoặc", "1900", "2101", "99999",
    # the wider wording (tests/fixtures/deadline_cells_wider.tsv)
    "Q3/2027", "Q5", "Quý II, III/2027", "III/2027", "II", "IV", "Tháng 4 - 5/2027", "Tháng 7/2026 - 9/2026",
    "định kỳ quý", "6 tháng", "9 tháng", "năm", "quý", "báo cáo", "các năm tiếp theo", "những năm tiếp theo",
    "Năm 2031", "tuần cuối tháng 3/2026", "tuần đầu", "tuần", "(sau khi có hướng dẫn)", "(", ")", "(nếu có)",
    "trước ngày 10/6", "10/12 hằng năm", "ngày 22 hằng tháng", "ngày 15 tháng cuối quý", "tháng đầu quý sau",
    "Hằng năm (trước ngày 20/11)", "Hằng quý (trước ngày 15 tháng cuối quý)", "Quý III2026", "Năm2027", "ngày 29/2",
    "từ năm 2027", "Q1 - Q2/2027",
]
SEPARATORS = st.sampled_from(["", " ", ". ", ". - ", "; ", ", ", " và ", " hoặc ", " - ", "\n", "\n- ", ": ", "/"])
VI_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊIOÔƠUƯYàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "QUÝHẰNGNĂMTHÁNG0123456789/-–—:.,;()+•  \n\t\u00a0\u0300\u0301\u0303\u0309\u0323"
)


def check_deadline(d: Deadline, text: str) -> None:
    assert isinstance(d, Deadline)
    assert d.text == text
    assert d.needs_review == (bool(d.problems) or not d.milestones)
    assert all(isinstance(p, str) and p for p in d.problems)
    assert not any("internal error" in p for p in d.problems), d.problems
    for m in d.milestones:
        assert isinstance(m.kind, MilestoneKind) and m.text == m.text.strip() and m.text
        if m.kind is MilestoneKind.FIXED:
            assert m.due is not None and m.start is None
        elif m.kind is MilestoneKind.PERIOD:
            assert m.start is not None and m.due is not None and m.start <= m.due
        elif m.kind is MilestoneKind.YEARLY:
            assert m.month is not None and 1 <= m.month <= 12 and m.due is None and m.rrule
            assert m.first_year is None or m.last_year is None or m.first_year <= m.last_year
        elif m.kind is MilestoneKind.CONTINUOUS:
            assert m.due is None
        else:
            assert m.event and m.due is None
        for day in (m.start, m.due):
            assert day is None or 1990 <= day.year <= 2101


@SETTINGS
@given(st.text())
def test_parse_never_raises_on_any_text(text):
    check_deadline(parse_deadline(text), text)


@SETTINGS
@given(st.text(alphabet=VI_ALPHABET, max_size=80), st.integers(1980, 2110), st.integers(1980, 2110))
def test_parse_never_raises_on_vietnamese_date_soup(text, first, last):
    check_deadline(parse_deadline(text, plan_start_year=first, plan_end_year=last), text)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PIECES + PHRASES), SEPARATORS), max_size=8))
def test_parse_never_raises_on_recombined_pieces(parts):
    text = "".join(piece + sep for piece, sep in parts)
    d = parse_deadline(text, plan_start_year=2026, plan_end_year=2030)
    check_deadline(d, text)
    assert d == parse_deadline(text, plan_start_year=2026, plan_end_year=2030)  # a pure function


@SETTINGS
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6), st.sampled_from(["\n", "\r\n", "; "]))
def test_real_phrases_on_separate_lines_read_as_the_sum_of_their_parts(phrases, sep):
    d = parse_deadline(sep.join(phrases), plan_start_year=2026, plan_end_year=2030)
    assert not d.needs_review, d.problems
    parts = [parse_deadline(p, plan_start_year=2026, plan_end_year=2030).milestones for p in phrases]
    assert d.milestones == tuple(m for ms in parts for m in ms)


# ------------------------------------------------------------------------- due dates
DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 12, 31))
YEARS = st.none() | st.integers(1995, 2095)
MILESTONES = st.one_of(
    st.builds(
        lambda month, a, b: Milestone(MilestoneKind.YEARLY, None, "x", month=month, first_year=a, last_year=b),
        st.integers(1, 12),
        YEARS,
        YEARS,
    ),
    st.builds(  # due on a given day of the month ("trước ngày 10/6 hằng năm")
        lambda month, day, a, b: Milestone(MilestoneKind.YEARLY, None, "x", month=month, first_year=a, last_year=b, day=day),
        st.integers(1, 12),
        st.integers(1, 31),
        YEARS,
        YEARS,
    ),
    st.builds(lambda due: Milestone(MilestoneKind.FIXED, None, "x", due=due), DAYS),
    st.builds(lambda a, b: Milestone(MilestoneKind.PERIOD, None, "x", min(a, b), max(a, b)), DAYS, DAYS),
    st.builds(lambda a: Milestone(MilestoneKind.CONTINUOUS, None, "x", start=a), st.none() | DAYS),
    st.just(Milestone(MilestoneKind.EVENT, None, "x", event="x")),
)


@SETTINGS
@given(MILESTONES, DAYS, DAYS)
def test_due_dates_are_in_the_window_and_sorted(m, start, end):
    got = due_dates(m, start, end)
    assert got == sorted(set(got))
    assert all(start <= d <= end for d in got)
    if m.kind is MilestoneKind.YEARLY:
        for d in got:
            assert d.month == m.month and (d.day == m.day if m.day else (d + timedelta(days=1)).day == 1)
            assert m.first_year is None or d.year >= m.first_year
            assert m.last_year is None or d.year <= m.last_year
        if start <= end and m.first_year is None and m.last_year is None and end.year - start.year >= 2:
            assert len(got) >= (end.year - start.year - 1) // (4 if (m.month, m.day) == (2, 29) else 1)
    elif m.kind in (MilestoneKind.FIXED, MilestoneKind.PERIOD):
        assert got == ([m.due] if start <= m.due <= end else [])
    else:
        assert got == []


@SETTINGS
@given(MILESTONES, DAYS, DAYS)
def test_yearly_rrule_agrees_with_due_dates(m, start, end):
    """The RRULE stored beside a yearly milestone yields exactly its due dates."""
    if m.kind is not MilestoneKind.YEARLY or start > end:
        return
    if m.first_year is not None and m.first_year > start.year:
        start = max(start, date(m.first_year, 1, 1))
    if start > end:
        return
    rule = rrulestr(m.rrule, dtstart=datetime(start.year, start.month, start.day))
    got = [d.date() for d in rule.between(datetime.combine(start, time()), datetime.combine(end, time()), inc=True)]
    assert got == due_dates(m, start, end)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PIECES + PHRASES), SEPARATORS), max_size=8))
def test_yearly_days_off_never_raises(parts):
    """With yearly days switched off (they are on by default), any cell still reads consistently."""
    text = "".join(piece + sep for piece, sep in parts)
    before, _rules.YEARLY_DAYS = _rules.YEARLY_DAYS, False
    try:
        d = parse_deadline(text, plan_start_year=2026, plan_end_year=2030)
    finally:
        _rules.YEARLY_DAYS = before  # whatever it was: later tests read with the shipped setting
    check_deadline(d, text)
    assert all(m.day is None for m in d.milestones)


# ------------------------------------------------------------------------- calendars
NEAR = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
CALENDARS = st.builds(
    lambda off, on, extra: WorkCalendar(off, extra, on),
    st.lists(NEAR, max_size=60),
    st.lists(NEAR, max_size=10),
    st.lists(NEAR, max_size=10),
)


def naive_add(cal: WorkCalendar, d: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        d += step
        if cal.is_working_day(d):
            left -= 1
    return d


@SETTINGS
@given(CALENDARS, NEAR)
def test_effective_due_is_a_working_day_on_or_after_nominal(cal, nominal):
    eff = cal.effective_due(nominal)
    assert eff >= nominal and cal.is_working_day(eff)
    assert all(not cal.is_working_day(nominal + timedelta(days=i)) for i in range((eff - nominal).days))
    assert cal.working_days_between(nominal, eff) == (1 if eff > nominal else 0)


@SETTINGS
@given(CALENDARS, NEAR, st.integers(-400, 400))
def test_add_working_days_round_trips(cal, d, n):
    e = cal.add_working_days(d, n)
    assert e == naive_add(cal, d, n)
    if n == 0:
        assert e == d
        return
    assert cal.is_working_day(e) and (e > d) == (n > 0)
    if n > 0 or cal.is_working_day(d):
        assert cal.working_days_between(d, e) == n
    else:  # d itself is not counted: -n working days in [e, d)
        assert sum(cal.is_working_day(e + timedelta(days=i)) for i in range((d - e).days)) == -n


@SETTINGS
@given(CALENDARS, NEAR, NEAR, NEAR)
def test_working_days_between_is_additive_and_antisymmetric(cal, a, b, c):
    ab, bc = cal.working_days_between(a, b), cal.working_days_between(b, c)
    assert ab + bc == cal.working_days_between(a, c)
    assert cal.working_days_between(b, a) == -ab
    if a <= b:
        assert ab == sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

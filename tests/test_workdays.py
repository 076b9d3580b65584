"""The working-day calendar, as tables of literal dates (Vietnam 2026)."""

from __future__ import annotations

import doctest
from datetime import date

import holidays
import pytest

import calendars.workdays
from calendars.workdays import WorkCalendar, vietnam_calendar

D = date
# Public holidays of 2026 named in DOMAIN.md: New Year, Tết (16-20/02), Giỗ Tổ Hùng Vương
# (26/04, a Sunday, observed Monday 27/04), 30/4, 1/5, Quốc khánh 2/9 and the day beside it.
VN_2026 = [
    D(2026, 1, 1),
    *(D(2026, 2, day) for day in range(16, 21)),
    D(2026, 4, 26),
    D(2026, 4, 27),
    D(2026, 4, 30),
    D(2026, 5, 1),
    D(2026, 9, 1),
    D(2026, 9, 2),
]
# The 2026 swap announced by the government (DOMAIN.md): Friday 02/01 off, Saturday 10/01 worked.
SWAP_OFF = [D(2026, 1, 2)]
SWAP_ON = [D(2026, 1, 10)]


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(VN_2026, extra_days_off=SWAP_OFF, extra_working_days=SWAP_ON)


@pytest.fixture(scope="module")
def vn() -> WorkCalendar:
    return vietnam_calendar([2026], extra_days_off=SWAP_OFF, extra_working_days=SWAP_ON)


WORKING = [
    (D(2026, 1, 1), False),  # Tết Dương lịch
    (D(2026, 1, 2), False),  # swap: off
    (D(2026, 1, 5), True),
    (D(2026, 1, 10), True),  # swap: Saturday worked
    (D(2026, 1, 17), False),  # an ordinary Saturday
    (D(2026, 1, 18), False),  # Sunday
    (D(2026, 2, 13), True),
    (D(2026, 2, 16), False),
    (D(2026, 2, 18), False),
    (D(2026, 2, 20), False),
    (D(2026, 2, 23), True),
    (D(2026, 4, 26), False),  # Giỗ Tổ, a Sunday
    (D(2026, 4, 27), False),  # observed
    (D(2026, 4, 28), True),
    (D(2026, 4, 30), False),
    (D(2026, 5, 1), False),
    (D(2026, 9, 1), False),
    (D(2026, 9, 2), False),
    (D(2026, 9, 3), True),
    (D(2026, 12, 31), True),
]


@pytest.mark.parametrize(("day", "working"), WORKING)
def test_is_working_day(cal, vn, day, working):
    assert cal.is_working_day(day) is working
    assert vn.is_working_day(day) is working


def test_without_the_swap_table():
    plain = vietnam_calendar([2026])
    assert plain.is_working_day(D(2026, 1, 2)) is True
    assert plain.is_working_day(D(2026, 1, 10)) is False


def test_vietnam_calendar_follows_the_holidays_package():
    table = holidays.country_holidays("VN", years=[2026, 2027])
    vn = vietnam_calendar([2026])
    for day in table:
        assert not vn.is_working_day(day) or day in getattr(table, "weekend_workdays", ())
    swapped = [d for d in getattr(table, "weekend_workdays", ()) if d.year in (2026, 2027)]
    for day in swapped:  # Saturdays worked in exchange (e.g. 22/08/2026)
        assert vn.is_working_day(day)
    assert vn.effective_due(D(2026, 12, 31)) == D(2026, 12, 31)
    assert vn.effective_due(D(2027, 1, 1)) == D(2027, 1, 4)  # the year after is loaded too
    assert not vietnam_calendar([]).is_working_day(D(2026, 1, 3))


def test_an_override_beats_a_package_swap_day():
    table = holidays.country_holidays("VN", years=[2026])
    worked = sorted(d for d in getattr(table, "weekend_workdays", ()) if d.year == 2026)
    if not worked:
        pytest.skip("this version of the holidays package lists no weekend working day for 2026")
    assert not vietnam_calendar([2026], extra_days_off=worked[:1]).is_working_day(worked[0])


EFFECTIVE = [
    # nominal, effective (Điều 148: roll forward to the next working day)
    (D(2026, 1, 1), D(2026, 1, 5)),  # holiday, swap day off, weekend
    (D(2026, 1, 2), D(2026, 1, 5)),
    (D(2026, 1, 10), D(2026, 1, 10)),  # Saturday worked
    (D(2026, 1, 11), D(2026, 1, 12)),
    (D(2026, 1, 31), D(2026, 2, 2)),  # Saturday
    (D(2026, 2, 14), D(2026, 2, 23)),  # Saturday before Tết
    (D(2026, 2, 16), D(2026, 2, 23)),
    (D(2026, 2, 20), D(2026, 2, 23)),
    (D(2026, 3, 31), D(2026, 3, 31)),
    (D(2026, 4, 25), D(2026, 4, 28)),  # Sat, Giỗ Tổ on Sunday, observed Monday
    (D(2026, 4, 30), D(2026, 5, 4)),
    (D(2026, 5, 2), D(2026, 5, 4)),
    (D(2026, 6, 30), D(2026, 6, 30)),
    (D(2026, 9, 1), D(2026, 9, 3)),
    (D(2026, 9, 30), D(2026, 9, 30)),
    (D(2026, 10, 31), D(2026, 11, 2)),
    (D(2026, 12, 31), D(2026, 12, 31)),
]


@pytest.mark.parametrize(("nominal", "effective"), EFFECTIVE)
def test_effective_due(cal, vn, nominal, effective):
    assert cal.effective_due(nominal) == effective
    assert vn.effective_due(nominal) == effective


@pytest.mark.parametrize(("nominal", "_"), EFFECTIVE)
def test_no_roll_forward_keeps_the_nominal_date(nominal, _):
    off = WorkCalendar(VN_2026, SWAP_OFF, SWAP_ON, roll_forward=False)
    assert off.effective_due(nominal) == nominal
    assert vietnam_calendar([2026], roll_forward=False).effective_due(nominal) == nominal


ADD = [
    # day, n, result
    (D(2026, 3, 31), 0, D(2026, 3, 31)),
    (D(2026, 1, 31), 0, D(2026, 1, 31)),  # n = 0 keeps even a non-working day
    (D(2026, 1, 31), 1, D(2026, 2, 2)),
    (D(2026, 1, 31), -1, D(2026, 1, 30)),
    (D(2026, 2, 13), 1, D(2026, 2, 23)),  # over Tết
    (D(2026, 2, 23), -1, D(2026, 2, 13)),
    (D(2026, 2, 23), -3, D(2026, 2, 11)),  # 3 working days before a due date, across Tết
    (D(2026, 2, 24), -5, D(2026, 2, 10)),
    (D(2026, 1, 9), 1, D(2026, 1, 10)),  # the Saturday worked
    (D(2026, 1, 12), -1, D(2026, 1, 10)),
    (D(2026, 1, 5), -1, D(2025, 12, 31)),  # over 01/01, the swap day 02/01 and a weekend
    (D(2026, 4, 29), 1, D(2026, 5, 4)),
    (D(2026, 4, 24), 2, D(2026, 4, 29)),
    (D(2026, 8, 28), 3, D(2026, 9, 4)),
    (D(2026, 1, 1), 60, D(2026, 4, 2)),
    (D(2026, 4, 2), -60, D(2025, 12, 31)),
    (D(2026, 12, 31), -250, D(2025, 12, 31)),
]


@pytest.mark.parametrize(("day", "n", "result"), ADD)
def test_add_working_days(cal, day, n, result):
    assert cal.add_working_days(day, n) == result
    if n >= 0 or cal.is_working_day(day):
        assert cal.working_days_between(day, result) == n


BETWEEN = [
    # a, b, working days in (a, b]
    (D(2026, 2, 13), D(2026, 2, 23), 1),
    (D(2026, 2, 23), D(2026, 2, 13), -1),
    (D(2026, 2, 14), D(2026, 2, 22), 0),
    (D(2026, 3, 31), D(2026, 3, 31), 0),
    (D(2026, 1, 1), D(2026, 1, 31), 21),  # 22 weekdays, minus 1/1 (excluded) and 2/1, plus Saturday 10/1
    (D(2025, 12, 31), D(2026, 12, 31), 250),  # 261 weekdays - 11 holidays on weekdays - 2/1 + 10/1
    (D(2026, 12, 31), D(2025, 12, 31), -250),
]


@pytest.mark.parametrize(("a", "b", "count"), BETWEEN)
def test_working_days_between(cal, a, b, count):
    assert cal.working_days_between(a, b) == count


def test_overrides_and_inputs():
    # A day listed both as off and as worked is worked; ISO strings and datetimes are accepted.
    cal = WorkCalendar(["2026-01-10"], extra_working_days=[D(2026, 1, 10)])
    assert cal.is_working_day(D(2026, 1, 10))
    from datetime import datetime

    assert not WorkCalendar([datetime(2026, 3, 2, 8, 0)]).is_working_day(D(2026, 3, 2))
    assert D(2026, 1, 1) in WorkCalendar([D(2026, 1, 1)]).days_off
    with pytest.raises(TypeError):
        WorkCalendar([20260101])  # type: ignore[list-item]


def test_docstring_examples():
    result = doctest.testmod(calendars.workdays, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

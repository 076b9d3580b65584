"""The Vietnamese working-day calendar.

A working day is Monday to Friday, not a public holiday and not an extra day off;
or a day listed as an extra working day (a Saturday worked in a swap).  A nominal
due date that is not a working day rolls forward to the next working day
(a choice of ours, after Bộ luật Dân sự 2015, Điều 148), unless turned off.

Pure: the holiday table and the overrides are passed in; nothing is read here.
Queries are cheap: set look-ups, and counting by arithmetic over weeks plus a
binary search in the sorted exceptions.

>>> cal = WorkCalendar([date(2026, 2, 16), date(2026, 2, 17)], extra_days_off=[date(2026, 1, 2)],
...                    extra_working_days=[date(2026, 1, 10)])
>>> cal.is_working_day(date(2026, 1, 2)), cal.is_working_day(date(2026, 1, 10))
(False, True)
>>> cal.effective_due(date(2026, 2, 14))
datetime.date(2026, 2, 18)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

__all__ = ["WorkCalendar", "vietnam_calendar"]

_ONE_DAY = timedelta(days=1)
_STEP_LIMIT = 40  # below this many working days, stepping day by day is cheaper than searching


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


def _weekdays_through(ordinal: int) -> int:
    """Number of Mondays..Fridays from 0001-01-01 (a Monday, ordinal 1) to ``ordinal`` inclusive."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest + 1, 5)


class WorkCalendar:
    """Working days: weekdays minus holidays and extra days off, plus extra working days.

    >>> cal = WorkCalendar(holidays=[date(2026, 4, 30), date(2026, 5, 1)])
    >>> cal.add_working_days(date(2026, 4, 29), 1)
    datetime.date(2026, 5, 4)
    >>> cal.add_working_days(date(2026, 5, 4), -1)
    datetime.date(2026, 4, 29)
    >>> cal.working_days_between(date(2026, 4, 29), date(2026, 5, 4))
    1
    >>> WorkCalendar(roll_forward=False).effective_due(date(2026, 1, 31))
    datetime.date(2026, 1, 31)
    """

    __slots__ = ("_off", "_on", "_off_weekdays", "_on_weekends", "roll_forward")

    def __init__(
        self,
        holidays: Iterable[date] = (),
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        *,
        roll_forward: bool = True,
    ) -> None:
        on = frozenset(_as_date(d) for d in extra_working_days)
        off = frozenset(_as_date(d) for d in holidays) | frozenset(_as_date(d) for d in extra_days_off)
        self._on = on
        self._off = off - on  # a day listed as worked is worked
        # Exceptions to "Monday to Friday", as sorted ordinals for counting.
        self._off_weekdays = sorted(d.toordinal() for d in self._off if d.weekday() < 5)
        self._on_weekends = sorted(d.toordinal() for d in on if d.weekday() >= 5)
        self.roll_forward = roll_forward

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({len(self._off)} days off, {len(self._on)} extra working days, "
            f"roll_forward={self.roll_forward})"
        )

    @property
    def days_off(self) -> frozenset[date]:
        """Holidays and extra days off (minus those listed as worked)."""
        return self._off

    @property
    def extra_working_days(self) -> frozenset[date]:
        return self._on

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri and not off; or listed as an extra working day."""
        if d in self._on:
            return True
        if d in self._off:
            return False
        return d.weekday() < 5

    def _count(self, ordinal: int) -> int:
        """Working days from the start of the calendar era to ``ordinal`` inclusive."""
        return (
            _weekdays_through(ordinal)
            - bisect_right(self._off_weekdays, ordinal)
            + bisect_right(self._on_weekends, ordinal)
        )

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; negative (minus those in ``(b, a]``) when ``b < a``.

        Additive: ``between(a, b) + between(b, c) == between(a, c)``.

        >>> WorkCalendar().working_days_between(date(2026, 1, 2), date(2026, 1, 9))  # Fri -> Fri
        5
        >>> WorkCalendar().working_days_between(date(2026, 1, 9), date(2026, 1, 2))
        -5
        """
        return self._count(b.toordinal()) - self._count(a.toordinal())

    def effective_due(self, nominal: date) -> date:
        """The next working day on or after ``nominal``; ``nominal`` itself when rolling forward is off.

        >>> WorkCalendar().effective_due(date(2026, 1, 31))  # a Saturday
        datetime.date(2026, 2, 2)
        """
        if not self.roll_forward or self.is_working_day(nominal):
            return nominal
        d = nominal + _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``n > 0``) or before it (``n < 0``); ``d`` when ``n == 0``.

        ``d`` itself is never counted, so ``add_working_days(saturday, -1)`` is the Friday
        before and ``add_working_days(saturday, 1)`` the Monday after.  Round trip:
        ``working_days_between(d, add_working_days(d, n)) == n`` for ``n >= 0``, and for
        ``n < 0`` when ``d`` is a working day.

        >>> WorkCalendar().add_working_days(date(2026, 1, 9), 3)  # Friday + 3
        datetime.date(2026, 1, 14)
        >>> WorkCalendar().add_working_days(date(2026, 1, 10), -1)  # Saturday - 1
        datetime.date(2026, 1, 9)
        """
        if n == 0:
            return d
        if abs(n) <= _STEP_LIMIT:
            step = _ONE_DAY if n > 0 else -_ONE_DAY
            left = abs(n)
            while left:
                d += step
                if self.is_working_day(d):
                    left -= 1
            return d
        origin = d.toordinal()
        if n > 0:
            target = self._count(origin) + n
            lo, hi = origin, origin + n * 2 + 14  # count(lo) < target
            width = hi - lo
            while self._count(hi) < target:
                lo, hi, width = hi, hi + width, width * 2
        else:
            target = self._count(origin - 1) + n + 1
            hi = origin - 1  # count(hi) >= target
            width = -n * 2 + 14
            lo = hi - width
            while self._count(lo) >= target:
                hi, lo, width = lo, lo - width, width * 2
        while hi - lo > 1:  # smallest ordinal with count >= target: a working day
            mid = (lo + hi) // 2
            if self._count(mid) >= target:
                hi = mid
            else:
                lo = mid
        return date.fromordinal(hi)


def vietnam_calendar(
    years: Iterable[int],
    *,
    extra_days_off: Iterable[date] = (),
    extra_working_days: Iterable[date] = (),
    roll_forward: bool = True,
) -> WorkCalendar:
    """Public holidays of Vietnam (``holidays`` package, country "VN") for ``years`` and the year after.

    The weekend days the package knows to be worked in exchange for a day off (e.g.
    Saturday 2026-08-22 for Monday 2026-08-31) are working days, unless listed in
    ``extra_days_off``.  The government's yearly swap days come from the caller's
    override table (``extra_days_off``, ``extra_working_days``).

    >>> cal = vietnam_calendar([2026], extra_days_off=[date(2026, 1, 2)], extra_working_days=[date(2026, 1, 10)])
    >>> cal.effective_due(date(2026, 2, 14))  # Saturday before Tết: Tết runs 16-20/02
    datetime.date(2026, 2, 23)
    >>> cal.effective_due(date(2026, 12, 31)), cal.effective_due(date(2027, 1, 1))
    (datetime.date(2026, 12, 31), datetime.date(2027, 1, 4))
    """
    import holidays as holidays_package  # imported here: the package is large and only needed here

    wanted = sorted({int(y) for y in years})
    if wanted:
        wanted.append(wanted[-1] + 1)
    table = holidays_package.country_holidays("VN", years=wanted)
    days_off = [_as_date(d) for d in extra_days_off]
    wanted_years, not_worked = set(wanted), set(days_off)
    swapped = {d for d in getattr(table, "weekend_workdays", ()) if d.year in wanted_years and d not in not_worked}
    return WorkCalendar(
        list(table.keys()),
        days_off,
        [*swapped, *(_as_date(d) for d in extra_working_days)],
        roll_forward=roll_forward,
    )

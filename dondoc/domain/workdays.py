"""The working-day calendar of the configuration: Vietnamese public holidays plus the government's
swap days (``config/holidays.yaml``), built once per process for each set of swap days.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from calendars.workdays import WorkCalendar, vietnam_calendar
from dondoc.configuration import HolidaysConfig

FIRST_YEAR, LAST_YEAR = 2020, 2040


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int, days_off: tuple[date, ...], working: tuple[date, ...],
              roll: bool) -> WorkCalendar:
    return vietnam_calendar(
        range(first_year, last_year + 1), extra_days_off=days_off, extra_working_days=working, roll_forward=roll
    )


def work_calendar(holidays: HolidaysConfig, *, roll_forward: bool = True, first_year: int = FIRST_YEAR,
                  last_year: int = LAST_YEAR) -> WorkCalendar:
    """The working-day calendar: Vietnamese public holidays plus the government's swap days."""
    return _calendar(first_year, last_year, tuple(sorted(holidays.days_off)), tuple(sorted(holidays.working_days)),
                     roll_forward)

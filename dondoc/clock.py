"""The only clock: what "now" and "today" are, in the configured time zone.

The core never reads the time itself; the application object is built with a
clock, and everything that needs the day or the moment asks it. Tests and
benchmarks pass a :class:`FixedClock`, so time is an explicit "as of".

>>> from datetime import datetime
>>> clock = FixedClock(datetime(2026, 3, 16, 8, 0), "Asia/Ho_Chi_Minh")
>>> clock.today().isoformat(), clock.now().isoformat()
('2026-03-16', '2026-03-16T08:00:00+07:00')
>>> clock.local(datetime(2026, 3, 16, 1, 0, tzinfo=timezone.utc)).hour
8
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The moment a record is written (database timestamps), in UTC."""
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite gives it back naive, PostgreSQL in the session's zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class Clock:
    """The current moment in ``timezone``."""

    def __init__(self, timezone_name: str = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(timezone_name)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()

    def local(self, moment: datetime | None) -> datetime:
        """``moment`` in the clock's zone (a naive one is taken as local time); now when None."""
        if moment is None:
            return self.now()
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)


class FixedClock(Clock):
    """A clock stopped at ``moment`` (naive: local time of ``timezone``); ``set`` moves it."""

    def __init__(self, moment: datetime | date, timezone_name: str = "Asia/Ho_Chi_Minh") -> None:
        super().__init__(timezone_name)
        self.set(moment)

    def set(self, moment: datetime | date) -> None:
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, datetime.min.time()).replace(hour=8)
        self._moment = moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)

    def now(self) -> datetime:
        return self._moment

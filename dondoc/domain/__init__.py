"""The domain: pure rules over dates and values, no database, no clock, no I/O.

- :mod:`~dondoc.domain.status`: stored and shown status of a due date;
- :mod:`~dondoc.domain.deadlines`: which text an item's deadline is read from, the working-day calendar;
- :mod:`~dondoc.domain.chasing`: reminders, escalation levels, checkpoints, quiet hours;
- :mod:`~dondoc.domain.periods`: report periods, cut-offs, send deadlines, when reports fall due;
- :mod:`~dondoc.domain.rules`: what a report, an extension or an acknowledgement must satisfy;
- :mod:`~dondoc.domain.offices`: matching office names written in plan cells.

What these rules mean for the people who use Đôn Đốc is written in ``docs/domain.md``.
"""

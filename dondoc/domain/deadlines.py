"""From an item's deadline cell to the deadline the engine reads, and its nominal due dates.

Pure: the configuration and the plan's years come in as arguments. The engine
itself is :mod:`calendars.deadlines`; ``docs/domain.md`` says what each kind of
text means.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from calendars.deadlines import Deadline, Milestone as EngineMilestone, MilestoneKind, due_dates, parse_deadline
from dondoc.configuration import DeadlinesConfig


@lru_cache(maxsize=4096)
def read_deadline(text: str, plan_start_year: int, plan_end_year: int) -> Deadline:
    return parse_deadline(text, plan_start_year=plan_start_year, plan_end_year=plan_end_year)


def deadline_text_for(item_number: str, raw: str, override: str | None, plan_code: str,
                      deadlines: DeadlinesConfig) -> str:
    """The text to read: a per-item override (database, then config), a per-text override, or the cell itself."""
    if override:
        return override
    by_item = deadlines.by_item.get(f"{plan_code}#{item_number}")
    if by_item:
        return by_item
    return deadlines.by_text.get(raw.strip(), raw)


def plan_window(period_start: int, period_end: int) -> tuple[date, date]:
    return date(period_start, 1, 1), date(period_end, 12, 31)


def nominal_dates(milestone: EngineMilestone, window: tuple[date, date]) -> list[date]:
    """A milestone's due dates within the plan window (a fixed date outside it still counts)."""
    start, end = window
    if milestone.kind in (MilestoneKind.FIXED, MilestoneKind.PERIOD) and milestone.due is not None:
        start, end = min(start, milestone.due), max(end, milestone.due)
    return due_dates(milestone, start, end)


def signature(milestone: EngineMilestone) -> tuple:
    """What identifies a read milestone (compared with a stored one to keep its identity)."""
    m = milestone
    return (str(m.kind), m.label, m.text, m.start, m.due, m.month, m.first_year, m.last_year, m.event, m.rrule)

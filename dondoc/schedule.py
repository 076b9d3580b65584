"""From deadline texts to stored milestones and occurrences.

Reads an item's deadline (or its override), runs the deadline engine, and keeps
the item's milestones and their due dates in step with it: unchanged milestones
keep their identity (and so their status history); changed ones are retired,
not deleted.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from calendars.deadlines import Deadline, Milestone as EngineMilestone, MilestoneKind, due_dates, parse_deadline
from calendars.workdays import WorkCalendar, vietnam_calendar
from dondoc.configuration import AppConfig
from dondoc.models import Item, Milestone, Occurrence, Plan
from dondoc.settings import Settings

@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int, days_off: tuple[date, ...], working: tuple[date, ...], roll: bool) -> WorkCalendar:
    return vietnam_calendar(
        range(first_year, last_year + 1), extra_days_off=days_off, extra_working_days=working, roll_forward=roll
    )


def work_calendar(config: AppConfig, settings: Settings, first_year: int = 2020, last_year: int = 2040) -> WorkCalendar:
    """The working-day calendar: VN public holidays plus the override table in config."""
    return _calendar(
        first_year,
        last_year,
        tuple(sorted(config.holidays.days_off)),
        tuple(sorted(config.holidays.working_days)),
        settings.roll_forward,
    )


@lru_cache(maxsize=4096)
def read_deadline(text: str, plan_start_year: int, plan_end_year: int) -> Deadline:
    return parse_deadline(text, plan_start_year=plan_start_year, plan_end_year=plan_end_year)


def deadline_text_for(item_number: str, raw: str, override: str | None, plan_code: str, config: AppConfig) -> str:
    """The text to read: a per-item override (database, then config), a per-text override, or the cell itself."""
    if override:
        return override
    by_item = config.deadlines.by_item.get(f"{plan_code}#{item_number}")
    if by_item:
        return by_item
    return config.deadlines.by_text.get(raw.strip(), raw)


def _signature(m: EngineMilestone | Milestone) -> tuple:
    if isinstance(m, Milestone):
        return (m.kind, m.label, m.text, m.start_date, m.due_date, m.month, m.first_year, m.last_year, m.event)
    return (str(m.kind), m.label, m.text, m.start, m.due, m.month, m.first_year, m.last_year, m.event)


def plan_window(plan: Plan) -> tuple[date, date]:
    return date(plan.period_start, 1, 1), date(plan.period_end, 12, 31)


def _nominal_dates(m: EngineMilestone, window: tuple[date, date]) -> list[date]:
    start, end = window
    if m.kind in (MilestoneKind.FIXED, MilestoneKind.PERIOD) and m.due is not None:
        start, end = min(start, m.due), max(end, m.due)
    return due_dates(m, start, end)


def apply_deadline(
    session: Session,
    item: Item,
    plan: Plan,
    deadline: Deadline,
    calendar: WorkCalendar,
) -> bool:
    """Make the item's active milestones match ``deadline``. Returns True when anything changed."""
    item.needs_review = deadline.needs_review
    item.review_problems = list(deadline.problems)
    current = [m for m in item.milestones if m.active]
    wanted = list(deadline.milestones)
    if [_signature(m) for m in current] == [_signature(m) for m in wanted]:
        refresh_effective_dates(current, calendar)
        return False
    for m in current:
        m.active = False
    next_position = max((m.position for m in item.milestones), default=0) + 1
    window = plan_window(plan)
    for offset, em in enumerate(wanted):
        milestone = Milestone(
            position=next_position + offset,
            active=True,
            label=em.label,
            kind=str(em.kind),
            text=em.text,
            start_date=em.start,
            due_date=em.due,
            month=em.month,
            first_year=em.first_year,
            last_year=em.last_year,
            rrule=em.rrule,
            event=em.event,
        )
        item.milestones.append(milestone)
        for nominal in _nominal_dates(em, window):
            milestone.occurrences.append(
                Occurrence(item=item, nominal_due=nominal, effective_due=calendar.effective_due(nominal))
            )
    return True


def refresh_effective_dates(milestones: list[Milestone], calendar: WorkCalendar) -> None:
    for milestone in milestones:
        for occurrence in milestone.occurrences:
            effective = calendar.effective_due(occurrence.nominal_due)
            if occurrence.effective_due != effective:
                occurrence.effective_due = effective


__all__ = [
    "apply_deadline",
    "deadline_text_for",
    "plan_window",
    "read_deadline",
    "refresh_effective_dates",
    "work_calendar",
]

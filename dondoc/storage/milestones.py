"""Keeping an item's stored milestones and due dates in step with the deadline read from its text.

Unchanged milestones keep their identity (and so their status history); changed
ones are retired, not deleted.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from calendars.deadlines import Deadline
from calendars.workdays import WorkCalendar
from dondoc.domain.deadlines import nominal_dates, plan_window, signature
from dondoc.storage.models import Item, Milestone, Occurrence, Plan


def _stored_signature(m: Milestone) -> tuple:
    return (m.kind, m.label, m.text, m.start_date, m.due_date, m.month, m.first_year, m.last_year, m.event)


def apply_deadline(session: Session, item: Item, plan: Plan, deadline: Deadline, calendar: WorkCalendar) -> bool:
    """Make the item's active milestones match ``deadline``. Returns True when anything changed."""
    item.needs_review = deadline.needs_review
    item.review_problems = list(deadline.problems)
    current = [m for m in item.milestones if m.active]
    wanted = list(deadline.milestones)
    if [_stored_signature(m) for m in current] == [signature(m) for m in wanted]:
        refresh_effective_dates(current, calendar)
        return False
    for m in current:
        m.active = False
    next_position = max((m.position for m in item.milestones), default=0) + 1
    window = plan_window(plan.period_start, plan.period_end)
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
        for nominal in nominal_dates(em, window):
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

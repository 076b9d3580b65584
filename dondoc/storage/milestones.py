"""Keeping an item's stored milestones and due dates in step with the deadline read from its text.

A re-import or a new deadline meaning never throws history away. Each milestone read
from the text is matched to a stored one — same label and meaning, then same meaning,
then same label, then by position; one left over is matched to a milestone retired
earlier with the same label and meaning (it is restored) — and the stored milestone is
updated in place, so the status history, triggers and everything attached to its due
dates stay with it.

Inside a matched milestone, an unchanged due date keeps its occurrence; a date that a
retired milestone with the same label holds comes back from it; a moved date keeps its
occurrence too (extensions, acknowledgements, reports and ledger entries go along) and
remembers the old date in ``previous_due`` (a reverted edit moves it back). A due date
that no longer exists is deleted only when nothing was ever recorded against it;
otherwise it moves to a retired copy of its milestone. A milestone that no longer
exists is retired (``active`` false), never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from calendars.deadlines import Deadline
from calendars.workdays import WorkCalendar
from dondoc.domain.deadlines import nominal_dates, plan_window, signature
from dondoc.domain.status import UNSET_KIND
from dondoc.storage.delivery_log import ChaseEntry
from dondoc.storage.models import Acknowledgement, Extension, Item, Milestone, Occurrence, Plan, StatusUpdate
from dondoc.text import fold


@dataclass(frozen=True)
class _Unset:
    """The milestone of a deadline nobody could read yet: its words, no date (see :data:`UNSET_KIND`)."""

    text: str
    kind: str = UNSET_KIND
    label: str | None = None
    start: date | None = None
    due: date | None = None
    month: int | None = None
    first_year: int | None = None
    last_year: int | None = None
    rrule: str | None = None
    event: str | None = None


@dataclass
class DeadlineChange:
    """What applying a deadline did to an item's milestones."""

    meaning: bool = False  # a due date, a kind, a recurrence or an awaited event changed, or a milestone came or went
    wording: bool = False  # only the words of a milestone changed
    moved: list[tuple[str, date, date]] = field(default_factory=list)  # (milestone, old due, new due)
    retired: list[str] = field(default_factory=list)  # milestones no longer in the text (history kept)
    restored: list[str] = field(default_factory=list)  # milestones retired earlier, back in the text

    @property
    def changed(self) -> bool:
        return self.meaning or self.wording


def _stored_signature(m: Milestone) -> tuple:
    return (m.kind, m.label, m.text, m.start_date, m.due_date, m.month, m.first_year, m.last_year, m.event, m.rrule)


def _meaning(sig: tuple) -> tuple:
    """A signature without its label and words: what the milestone asks, and when."""
    kind, _label, _text, *rest = sig
    return (kind, *rest)


def _label(sig: tuple) -> str:
    return fold(sig[1] or "")


def _name(m: Milestone) -> str:
    return m.label or m.text


def apply_deadline(
    session: Session, item: Item, plan: Plan, deadline: Deadline, calendar: WorkCalendar
) -> DeadlineChange:
    """Make the item's active milestones match ``deadline``, keeping every stored milestone's identity."""
    item.needs_review = deadline.needs_review
    item.review_problems = list(deadline.problems)
    current = [m for m in item.milestones if m.active]
    # A deadline that needs review has no date until a person sets one: what was understood of it is not
    # used, so no provisional date drives reminders or the status.
    wanted = [_Unset(deadline.text)] if deadline.needs_review else list(deadline.milestones)
    change = DeadlineChange()
    stored = [_stored_signature(m) for m in current]
    read = [signature(m) for m in wanted]
    if stored == read:
        refresh_effective_dates(current, calendar)
        return change

    pairs: dict[int, Milestone] = {}
    free = list(current)

    def take(candidates: list[Milestone], same) -> None:
        for i, sig in enumerate(read):
            if i in pairs:
                continue
            for m in candidates:
                if same(_stored_signature(m), sig):
                    pairs[i] = m
                    candidates.remove(m)
                    break

    take(free, lambda a, b: a == b)
    take(free, lambda a, b: _label(a) == _label(b) and _meaning(a) == _meaning(b))
    take(free, lambda a, b: _meaning(a) == _meaning(b))
    take(free, lambda a, b: bool(_label(a)) and _label(a) == _label(b))
    for i in range(len(read)):  # the rest by position
        if i not in pairs and free:
            pairs[i] = free.pop(0)
    retired = sorted((m for m in item.milestones if not m.active), key=lambda m: -m.position)
    before = set(pairs.values())
    take(retired, lambda a, b: _label(a) == _label(b) and _meaning(a) == _meaning(b))  # back in the text
    for m in set(pairs.values()) - before:
        m.active = True
        change.restored.append(_name(m))
        change.meaning = True
    for m in free:
        m.active = False
        change.retired.append(_name(m))
        change.meaning = True

    window = plan_window(plan.period_start, plan.period_end)
    next_position = max((m.position for m in item.milestones), default=0) + 1
    for offset, em in enumerate(wanted):
        m = pairs.get(offset)
        if m is None:
            m = Milestone(active=True)
            item.milestones.append(m)
            change.meaning = True
        else:
            old = _stored_signature(m)
            if _meaning(old) != _meaning(read[offset]):
                change.meaning = True
            elif old != read[offset]:
                change.wording = True
        m.position = next_position + offset
        _sync_occurrences(session, item, m, em, window, calendar, change, retired)
        if m.triggered_on is not None and (str(em.kind) != "event" or em.event != m.event):
            m.triggered_on = m.trigger_note = None  # another event is awaited now
        m.label, m.kind, m.text = em.label, str(em.kind), em.text
        m.start_date, m.due_date, m.month = em.start, em.due, em.month
        m.first_year, m.last_year, m.rrule, m.event = em.first_year, em.last_year, em.rrule, em.event
    return change


def _sync_occurrences(session, item, m: Milestone, em, window, calendar: WorkCalendar, change: DeadlineChange,
                      retired: list[Milestone]) -> None:
    """Give ``m`` the due dates of ``em``; ``m`` still holds its old fields. A date that a retired milestone
    of the item with the same label holds (an earlier edit moved it there) comes back with its history."""
    if m.kind == "event" and str(em.kind) == "event" and m.triggered_on is not None and m.event == em.event:
        return  # the awaited event happened: its due date was set by hand and stays
    new = [] if str(em.kind) == UNSET_KIND else nominal_dates(em, window)
    by_date = {o.nominal_due: o for o in m.occurrences}
    held = {o.nominal_due: (r, o) for r in reversed(retired) if _label(_stored_signature(r)) == fold(em.label or "")
            for o in r.occurrences}
    missing = []
    for d in new:
        if by_date.pop(d, None) is not None:
            continue
        if d in held:
            r, o = held.pop(d)
            r.occurrences.remove(o)
            m.occurrences.append(o)
        else:
            missing.append(d)
    leftover = sorted(by_date.values(), key=lambda o: o.nominal_due)
    for o in list(leftover):  # an edit reverted: a moved date goes back where it came from
        if o.previous_due in missing:
            missing.remove(o.previous_due)
            leftover.remove(o)
            change.moved.append((_name(m), o.nominal_due, o.previous_due))
            o.nominal_due, o.previous_due = o.previous_due, o.nominal_due
            o.effective_due = calendar.effective_due(o.nominal_due)
    for d, o in zip(missing, leftover):
        change.moved.append((_name(m), o.nominal_due, d))
        o.previous_due = o.nominal_due
        o.nominal_due, o.effective_due = d, calendar.effective_due(d)
    for d in missing[len(leftover):]:
        m.occurrences.append(Occurrence(item=item, nominal_due=d, effective_due=calendar.effective_due(d)))
    gone = leftover[len(missing):]
    if gone:
        _retire_occurrences(session, m, gone)
    for o in m.occurrences:
        effective = calendar.effective_due(o.nominal_due)
        if o.effective_due != effective:
            o.effective_due = effective


def _retire_occurrences(session: Session, m: Milestone, gone: list[Occurrence]) -> None:
    """Due dates the text no longer has: those with a history go to a retired copy of the milestone."""
    ids = [o.id for o in gone if o.id is not None]
    kept: set[int] = set()
    if ids:
        kept = set(session.scalars(select(Occurrence.id).where(Occurrence.id.in_(ids), or_(
            exists().where(StatusUpdate.occurrence_id == Occurrence.id),
            exists().where(Extension.occurrence_id == Occurrence.id),
            exists().where(Acknowledgement.occurrence_id == Occurrence.id),
            exists().where(ChaseEntry.occurrence_id == Occurrence.id),
        ))))
    keep = [o for o in gone if o.id in kept]
    if keep:
        copy = Milestone(item_id=m.item_id, position=m.position, active=False, label=m.label, kind=m.kind,
                         text=m.text, start_date=m.start_date, due_date=m.due_date, month=m.month,
                         first_year=m.first_year, last_year=m.last_year, rrule=m.rrule, event=m.event,
                         triggered_on=m.triggered_on, trigger_note=m.trigger_note)
        m.item.milestones.append(copy)
        for o in keep:
            m.occurrences.remove(o)
            copy.occurrences.append(o)
    for o in gone:
        if o.id not in kept:
            m.occurrences.remove(o)


def refresh_effective_dates(milestones: list[Milestone], calendar: WorkCalendar) -> None:
    for milestone in milestones:
        for occurrence in milestone.occurrences:
            effective = calendar.effective_due(occurrence.nominal_due)
            if occurrence.effective_due != effective:
                occurrence.effective_due = effective

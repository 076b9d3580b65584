"""The status over many units at once (a province and its communes), read set-based and counted, never
listed: each item's most urgent due date as the status run judges it, the due dates falling on each day, and
what people read of the few items a province lists.

Every query here takes the units' ids, whatever their number; no status run per unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import Engine, and_, case, func, select

from calendars.workdays import WorkCalendar
from dondoc.domain.status import (
    ATTENTION_ORDER,
    UNSET_KIND,
    OccurrenceState,
    Shown,
    Stored,
    current_occurrence,
    shown_status,
)
from dondoc.storage.models import (
    Acknowledgement,
    Area,
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    Plan,
    StatusUpdate,
    Unit,
)
from dondoc.storage.statusrun import latest_updates


@dataclass(slots=True)
class ItemState:
    """An item on a day as the status run counts it: its most urgent due date (what a province adds up)."""

    item_id: int
    unit_id: int
    shown: Shown
    milestone_id: int
    occurrence_id: int | None
    deadline: date | None
    days_overdue: int | None


CONTINUOUS_ORDER = ATTENTION_ORDER[Shown.CONTINUOUS]


def most_urgent_states(engine: Engine, as_of: date, calendar: WorkCalendar, *, unit_ids: list[int],
                       due_soon_working_days: int = 5) -> list[ItemState]:
    """Each item of the units with the shown status of its most urgent due date, as the status run and
    :func:`~dondoc.storage.statusrun.item_rows` give it, reading only what that status needs (three queries,
    then one pass).

    Of a milestone's due dates, :func:`current_occurrence` can only pick the earliest one still open past
    its deadline, the latest past one or the earliest one to come; the database picks those (at most three
    per milestone) so that a province's thousands of later due dates are never read."""
    if not unit_ids:
        return []
    filters = [Item.removed_at.is_(None), Plan.unit_id.in_(unit_ids)]
    latest = latest_updates(as_of, StatusUpdate.occurrence_id, filters).subquery()
    dues = (
        select(Occurrence.id, Occurrence.milestone_id, Occurrence.nominal_due, Occurrence.effective_due,
               Occurrence.extended_due, func.coalesce(Occurrence.extended_due, Occurrence.effective_due).label("deadline"),
               case((latest.c.status == Stored.DONE.value, latest.c.as_of)).label("done_on"))
        .join(Milestone, and_(Milestone.id == Occurrence.milestone_id, Milestone.active.is_(True)))
        .join(Item, Item.id == Occurrence.item_id)
        .join(Plan, Plan.id == Item.plan_id)
        .outerjoin(latest, latest.c.key == Occurrence.id)
        .where(*filters)
    ).cte("dues")
    past = dues.c.deadline < as_of
    picks = (
        select(dues.c.milestone_id,
               func.min(case((and_(past, dues.c.done_on.is_(None)), dues.c.nominal_due))).label("open_past"),
               func.max(case((past, dues.c.nominal_due))).label("last_past"),
               func.min(case((dues.c.deadline >= as_of, dues.c.nominal_due))).label("upcoming"))
        .group_by(dues.c.milestone_id)
    ).subquery()
    undated = select(Milestone.id).where(Milestone.kind.in_(("event", UNSET_KIND)))
    with engine.connect() as conn:
        dated = conn.execute(
            select(dues.c.milestone_id, dues.c.id, dues.c.nominal_due, dues.c.effective_due, dues.c.extended_due,
                   dues.c.done_on)  # in the order of OccurrenceState's fields
            .join(picks, and_(picks.c.milestone_id == dues.c.milestone_id,
                              dues.c.nominal_due.in_([picks.c.open_past, picks.c.last_past, picks.c.upcoming])))
            .order_by(dues.c.milestone_id, dues.c.nominal_due)
        ).all()
        milestones = conn.execute(
            select(Milestone.id, Milestone.kind, Milestone.item_id, Plan.unit_id)
            .join(Item, Item.id == Milestone.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(Milestone.active.is_(True), *filters)
        ).all()
        by_milestone = {r.key: r for r in conn.execute(
            latest_updates(as_of, StatusUpdate.milestone_id, [*filters, StatusUpdate.milestone_id.in_(undated)]))}
    occurrences: dict[int, list[OccurrenceState]] = defaultdict(list)
    for milestone_id, *due in dated:
        occurrences[milestone_id].append(OccurrenceState(*due))
    # Per item, the most urgent (order, -days overdue, deadline, state); plain tuples, one pass.
    first: dict[int, tuple] = {}
    no_dues: list[OccurrenceState] = []
    for milestone_id, kind, item_id, unit_id in milestones:
        if kind == "continuous":
            if item_id not in first:
                first[item_id] = (CONTINUOUS_ORDER, 0, date.max, Shown.CONTINUOUS, unit_id, milestone_id, None, None)
            continue
        current = current_occurrence(occurrences.get(milestone_id, no_dues), as_of)
        if current is None and kind not in ("event", UNSET_KIND):
            continue  # a dated milestone with no due date in the plan window
        deadline = current.deadline if current else None
        done_on = current.done_on if current else _done_on(by_milestone.get(milestone_id))
        shown = shown_status(kind, deadline, done_on, as_of, calendar, due_soon_working_days)
        late = (as_of - deadline).days if shown is Shown.OVERDUE else 0
        state = (ATTENTION_ORDER[shown], -late, deadline or date.max, shown, unit_id, milestone_id,
                 current.occurrence_id if current else None, deadline)
        known = first.get(item_id)
        if known is None or state[:3] < known[:3]:
            first[item_id] = state
    return [ItemState(item_id, unit_id, shown, milestone_id, occurrence_id, deadline, -minus_late or None)
            for item_id, (_, minus_late, _, shown, unit_id, milestone_id, occurrence_id, deadline) in first.items()]


@dataclass(frozen=True)
class ItemBrief:
    """What people read of an item listed beyond its unit: the unit, "Mục 37", its text and lead offices
    (the area's code is for the escalation ladder, never shown)."""

    item_id: int
    unit_id: int
    unit: str
    number: str
    content: str
    plan_title: str
    area_code: str | None
    lead: tuple[str, ...]
    last_note: str | None


def item_briefs(engine: Engine, item_ids: list[int], as_of: date) -> dict[int, ItemBrief]:
    """The items' units, numbers, texts, lead offices and latest progress notes (three queries)."""
    if not item_ids:
        return {}
    filters = [Item.id.in_(item_ids)]
    with engine.connect() as conn:
        items = conn.execute(
            select(Item.id, Item.number, Item.content, Plan.title, Plan.unit_id, Unit.name, Area.code)
            .join(Plan, Plan.id == Item.plan_id).join(Unit, Unit.id == Plan.unit_id)
            .outerjoin(Area, Area.id == Item.area_id).where(*filters)
        ).all()
        leads: dict[int, list[str]] = defaultdict(list)
        for item_id, name in conn.execute(
            select(ItemOffice.item_id, Office.name).join(Office, Office.id == ItemOffice.office_id)
            .where(ItemOffice.role == "lead", ItemOffice.item_id.in_(item_ids)).order_by(ItemOffice.item_id, Office.id)
        ):
            leads[item_id].append(name)
        notes = {r.key: r.note for r in conn.execute(
            latest_updates(as_of, StatusUpdate.item_id, [*filters, StatusUpdate.note.is_not(None)]))}
    return {r.id: ItemBrief(r.id, r.unit_id, r.name, r.number, r.content, r.title, r.code, tuple(leads[r.id]),
                            notes.get(r.id)) for r in items}


def acknowledged(engine: Engine, occurrence_ids: list[int], as_of: date) -> set[tuple[int, date]]:
    """(due date, deadline) pairs leadership acknowledged ("đã nắm") by the end of ``as_of`` (one query)."""
    if not occurrence_ids:
        return set()
    end = datetime.combine(as_of, time.max, tzinfo=timezone.utc)
    with engine.connect() as conn:
        return set(conn.execute(select(Acknowledgement.occurrence_id, Acknowledgement.deadline)
                                .where(Acknowledgement.occurrence_id.in_(occurrence_ids), Acknowledgement.at <= end)).all())


@dataclass(frozen=True)
class DueDay:
    """The due dates of one unit falling on one day, counted as a calendar feed shows each of them."""

    day: date
    unit_id: int
    total: int  # due dates
    done: int
    overdue: int
    items: int  # the items they belong to (an item with two due dates that day counts once)


def due_days(engine: Engine, as_of: date, unit_ids: list[int]) -> list[DueDay]:
    """Every day on which due dates of the units fall (extended, else effective), per unit: how many, how many
    done and how many overdue on ``as_of`` (one grouped query; event items appear once triggered)."""
    if not unit_ids:
        return []
    filters = [Item.removed_at.is_(None), Plan.unit_id.in_(unit_ids)]
    latest = latest_updates(as_of, StatusUpdate.occurrence_id, filters).subquery()
    deadline = func.coalesce(Occurrence.extended_due, Occurrence.effective_due)
    done = latest.c.status == Stored.DONE.value
    with engine.connect() as conn:
        rows = conn.execute(
            select(deadline.label("day"), Plan.unit_id, func.count().label("total"),
                   func.sum(case((done, 1), else_=0)).label("done"),
                   func.sum(case((and_(deadline < as_of, latest.c.status.is_(None) | ~done), 1), else_=0))
                   .label("overdue"), func.count(func.distinct(Occurrence.item_id)).label("items"))
            .join(Milestone, and_(Milestone.id == Occurrence.milestone_id, Milestone.active.is_(True)))
            .join(Item, Item.id == Occurrence.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .outerjoin(latest, latest.c.key == Occurrence.id)
            .where(*filters)
            .group_by(deadline, Plan.unit_id)
            .order_by(deadline, Plan.unit_id)
        ).all()
    return [DueDay(r.day, r.unit_id, r.total, int(r.done or 0), int(r.overdue or 0), r.items) for r in rows]


def _done_on(update) -> date | None:
    if update is not None and update.status == Stored.DONE.value:
        return update.as_of
    return None

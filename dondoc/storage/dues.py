"""Open due dates and chasing checkpoints, read set-based (a fixed number of queries for any number of items)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from calendars.workdays import WorkCalendar
from dondoc.configuration import Policy
from dondoc.domain.chasing import OpenDue, checkpoint_days
from dondoc.storage.models import LEAD_PART, Acknowledgement, Area, Item, ItemOffice, Milestone, Occurrence, Office, Plan, StatusUpdate


def _item_filter(item_ids: list[int] | None):
    conditions = [Item.removed_at.is_(None), Milestone.active.is_(True)]
    if item_ids is not None:
        conditions.append(Item.id.in_(item_ids))
    return conditions


def open_dues(engine: Engine, day: date, item_ids: list[int] | None = None) -> list[OpenDue]:
    """Every due date not done on ``day`` (four queries)."""
    conditions = _item_filter(item_ids)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Occurrence.id,
                Occurrence.item_id,
                Occurrence.milestone_id,
                Occurrence.nominal_due,
                Occurrence.effective_due,
                Occurrence.extended_due,
                Plan.code,
                Plan.unit_id,
                Item.number,
                Item.content,
                Area.code.label("area_code"),
                Milestone.label,
            )
            .join(Milestone, Milestone.id == Occurrence.milestone_id)
            .join(Item, Item.id == Occurrence.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .outerjoin(Area, Area.id == Item.area_id)
            .where(*conditions)
            .order_by(Occurrence.id)
        ).all()
        done = set(
            conn.scalars(
                select(StatusUpdate.occurrence_id)
                .join(Item, Item.id == StatusUpdate.item_id)
                .join(Milestone, Milestone.id == StatusUpdate.milestone_id)
                .where(StatusUpdate.status == "hoan_thanh", StatusUpdate.part == LEAD_PART, StatusUpdate.as_of <= day,
                       *conditions)
            )
        )
        acks = set(
            conn.execute(
                select(Acknowledgement.occurrence_id, Acknowledgement.deadline)
                .join(Occurrence, Occurrence.id == Acknowledgement.occurrence_id)
                .join(Item, Item.id == Occurrence.item_id)
                .join(Milestone, Milestone.id == Occurrence.milestone_id)
                .where(Acknowledgement.at <= datetime.combine(day, time.max, tzinfo=timezone.utc), *conditions)
            ).all()
        )
        offices: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "coop": []})
        for item_id, role, name in conn.execute(
            select(ItemOffice.item_id, ItemOffice.role, Office.name)
            .join(Office, Office.id == ItemOffice.office_id)
            .join(Item, Item.id == ItemOffice.item_id)
            .where(Item.removed_at.is_(None), *([Item.id.in_(item_ids)] if item_ids is not None else []))
            .order_by(ItemOffice.item_id, Office.id)
        ):
            offices[item_id][role].append(name)
    dues = []
    for r in rows:
        if r.id in done:
            continue
        deadline = r.extended_due or r.effective_due
        dues.append(
            OpenDue(
                occurrence_id=r.id,
                item_id=r.item_id,
                milestone_id=r.milestone_id,
                plan=r.code,
                number=r.number,
                content=r.content,
                area_code=r.area_code,
                label=r.label,
                nominal=r.nominal_due,
                deadline=deadline,
                leads=tuple(offices[r.item_id]["lead"]),
                cooperating=tuple(offices[r.item_id]["coop"]),
                acknowledged=(r.id, deadline) in acks,
                unit_id=r.unit_id,
            )
        )
    return dues


def checkpoints_by_item(
    engine: Engine,
    start: date,
    end: date,
    *,
    policy: Policy,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    as_of: date,
    item_ids: list[int] | None = None,
) -> dict[int, list[datetime]]:
    """When each item's flow must run within [start, end]: at ``policy.send_at`` on every
    checkpoint day of its due dates still open on ``as_of``. Items with nothing to chase map to []."""
    result: dict[int, set[datetime]] = defaultdict(set)
    with engine.connect() as conn:
        query = select(Item.id).join(Plan, Plan.id == Item.plan_id).where(Item.removed_at.is_(None))
        if item_ids is not None:
            query = query.where(Item.id.in_(item_ids))
        for (item_id,) in conn.execute(query):
            result[item_id] = set()
    for due in open_dues(engine, as_of, item_ids):
        for day in checkpoint_days(due.deadline, policy, calendar, until=end):
            if start <= day <= end:
                result[due.item_id].add(datetime.combine(day, policy.send_at, tzinfo=tz))
    return {item_id: sorted(times) for item_id, times in result.items()}

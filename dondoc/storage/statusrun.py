"""The on-demand status run: "where do we stand today?"

Set-based: seven queries, whatever the number of items (milestones with their
items, the due dates, the latest update per due date and per milestone, the
offices of the items), then one pass in Python that picks each milestone's
current due date and derives its shown status.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import Engine, and_, func, select

from calendars.workdays import WorkCalendar
from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.status import (
    ATTENTION_ORDER,
    UNSET_KIND,
    OccurrenceState,
    Shown,
    current_occurrence,
    shown_status,
)
from dondoc.storage.models import LEAD_PART, Area, Item, ItemOffice, Milestone, Occurrence, Office, Plan, StatusUpdate, Unit
from dondoc.text import area_order, item_number_key


@dataclass
class StatusRow:
    item_id: int
    unit: str
    plan: str
    item: str
    content: str
    area_code: str | None
    area: str | None
    lead: list[str]
    milestone_id: int
    label: str | None
    kind: str
    deadline_text: str
    nominal_due: date | None
    effective_due: date | None
    extended_due: date | None
    shown: Shown
    stored: str | None
    days_overdue: int | None
    working_days_left: int | None
    last_note: str | None
    last_update: date | None
    product: str | None
    event: str | None
    number: str = ""
    plan_title: str = ""

    @property
    def plan_short(self) -> str:
        """The plan's short title ("KH CCHC 2026–2030"), for people."""
        return short_plan_title(self.plan_title)

    @property
    def item_label(self) -> str:
        """"Mục 37": what people read for the item (the plan code stays in ``item`` and JSON)."""
        return item_label(self.number)

    def as_json(self) -> dict:
        data = asdict(self)
        data["shown"] = self.shown.value
        data["shown_label"] = self.shown.label
        data["colour"] = self.shown.colour
        for key in ("nominal_due", "effective_due", "extended_due", "last_update"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class Group:
    name: str
    rows: list[StatusRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return totals(self.rows)


@dataclass
class StatusReport:
    as_of: date
    rows: list[StatusRow]
    by_office: list[Group]
    by_area: list[Group]
    office_short: dict[str, str] = field(default_factory=dict)  # office name -> its short name, when it has one

    @property
    def totals(self) -> dict[str, int]:
        return totals(self.rows)

    @property
    def continuous(self) -> list[StatusRow]:
        return [r for r in self.rows if r.shown is Shown.CONTINUOUS]

    @property
    def awaiting(self) -> list[StatusRow]:
        return [r for r in self.rows if r.shown is Shown.AWAITING]

    @property
    def unset(self) -> list[StatusRow]:
        """Items whose deadline nobody could read yet: tracked, with no due date until one is set."""
        return [r for r in self.rows if r.shown is Shown.UNSET]

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "totals": self.totals,
            "rows": [r.as_json() for r in self.rows],
            "by_office": [{"office": g.name, "totals": g.totals, "items": [r.item for r in g.rows]} for g in self.by_office],
            "by_area": [{"area": g.name, "totals": g.totals, "items": [r.item for r in g.rows]} for g in self.by_area],
            "continuous": [{"item": r.item, "last_note": r.last_note, "last_update": r.last_update.isoformat() if r.last_update else None} for r in self.continuous],
            "awaiting": [{"item": r.item, "event": r.event} for r in self.awaiting],
            "unset": [{"item": r.item, "deadline_text": r.deadline_text} for r in self.unset],
        }


def totals(rows: list[StatusRow]) -> dict[str, int]:
    counts = Counter(r.shown for r in rows)
    return {s.value: counts.get(s, 0) for s in Shown}


def attention_key(row: StatusRow) -> tuple:
    """Overdue first (longest overdue first), then due soon (soonest first), then the rest by date."""
    due = row.extended_due or row.effective_due or date.max
    return (ATTENTION_ORDER[row.shown], -(row.days_overdue or 0), due, row.plan, item_number_key(row.item))


def item_rows(rows: list[StatusRow]) -> list[StatusRow]:
    """One row per item: the milestone that needs attention first, so that an item with several
    due dates is counted once, under its most urgent status."""
    first: dict[int, StatusRow] = {}
    for row in rows:
        if row.item_id not in first or attention_key(row) < attention_key(first[row.item_id]):
            first[row.item_id] = row
    return sorted(first.values(), key=attention_key)


def latest_updates(as_of: date, by_column, filters):
    """Latest update (as of the day) per value of ``by_column``: a window function, one query."""
    ranked = (
        select(
            StatusUpdate.id,
            by_column.label("key"),
            StatusUpdate.status,
            StatusUpdate.note,
            StatusUpdate.product,
            StatusUpdate.as_of,
            func.row_number()
            .over(partition_by=by_column, order_by=(StatusUpdate.as_of.desc(), StatusUpdate.id.desc()))
            .label("rn"),
        )
        .join(Item, Item.id == StatusUpdate.item_id)
        .join(Plan, Plan.id == Item.plan_id)
        .where(StatusUpdate.as_of <= as_of, by_column.is_not(None), StatusUpdate.part == LEAD_PART, *filters)
        .subquery()
    )
    return select(ranked).where(ranked.c.rn == 1)


def run_status(
    engine: Engine,
    as_of: date,
    calendar: WorkCalendar,
    *,
    due_soon_working_days: int = 5,
    unit_ids: list[int] | None = None,
    plan_ids: list[int] | None = None,
    office_ids: list[int] | None = None,
    area: str | None = None,
) -> StatusReport:
    filters = [Item.removed_at.is_(None)]
    if unit_ids:
        filters.append(Plan.unit_id.in_(unit_ids))
    if plan_ids:
        filters.append(Plan.id.in_(plan_ids))
    if office_ids:
        filters.append(
            Item.id.in_(select(ItemOffice.item_id).where(ItemOffice.office_id.in_(office_ids), ItemOffice.role == "lead"))
        )
    if area:
        filters.append(Item.area_id.in_(select(Area.id).where((Area.code == area) | (Area.title == area))))

    with engine.connect() as conn:
        milestones = conn.execute(
            select(
                Milestone.id,
                Milestone.kind,
                Milestone.label,
                Milestone.event,
                Milestone.triggered_on,
                Item.id.label("item_id"),
                Item.number,
                Item.content,
                Item.deadline_text,
                Item.product,
                Item.area_id,
                Plan.code.label("plan_code"),
                Plan.title.label("plan_title"),
                Unit.name.label("unit_name"),
                Area.code.label("area_code"),
                Area.title.label("area_title"),
            )
            .join(Item, Item.id == Milestone.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .join(Unit, Unit.id == Plan.unit_id)
            .outerjoin(Area, Area.id == Item.area_id)
            .where(Milestone.active.is_(True), *filters)
            .order_by(Plan.id, Item.position, Milestone.position)
        ).all()

        occ_by_milestone: dict[int, list] = defaultdict(list)
        for occ in conn.execute(
            select(
                Occurrence.id,
                Occurrence.milestone_id,
                Occurrence.nominal_due,
                Occurrence.effective_due,
                Occurrence.extended_due,
            )
            .join(Milestone, and_(Milestone.id == Occurrence.milestone_id, Milestone.active.is_(True)))
            .join(Item, Item.id == Occurrence.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(*filters)
            .order_by(Occurrence.milestone_id, Occurrence.nominal_due)
        ):
            occ_by_milestone[occ.milestone_id].append(occ)

        by_occurrence = {r.key: r for r in conn.execute(latest_updates(as_of, StatusUpdate.occurrence_id, filters))}
        by_milestone = {r.key: r for r in conn.execute(latest_updates(as_of, StatusUpdate.milestone_id, filters))}
        by_item = {r.key: r for r in conn.execute(latest_updates(as_of, StatusUpdate.item_id, filters))}
        # The latest update that carries a note, per item: the progress note of continuous items.
        noted = {
            r.key: r
            for r in conn.execute(
                latest_updates(as_of, StatusUpdate.item_id, [*filters, StatusUpdate.note.is_not(None)])
            )
        }

        leads: dict[int, list[str]] = defaultdict(list)
        office_short: dict[str, str] = {}
        for item_id, name, short_name in conn.execute(
            select(ItemOffice.item_id, Office.name, Office.short_name)
            .join(Office, Office.id == ItemOffice.office_id)
            .join(Item, Item.id == ItemOffice.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(ItemOffice.role == "lead", *filters)
            .order_by(ItemOffice.item_id, Office.id)
        ):
            leads[item_id].append(name)
            if short_name:
                office_short[name] = short_name

    rows: list[StatusRow] = []
    for m in milestones:
        occurrences = [
            OccurrenceState(
                o.id,
                o.nominal_due,
                o.effective_due,
                o.extended_due,
                _done_on(by_occurrence.get(o.id)),
            )
            for o in occ_by_milestone.get(m.id, ())
        ]
        current = current_occurrence(occurrences, as_of)
        update = by_occurrence.get(current.occurrence_id) if current else by_milestone.get(m.id)
        if current is None and m.kind not in ("continuous", "event", UNSET_KIND):
            continue  # a dated milestone with no due date in the plan window
        done_on = current.done_on if current else _done_on(update)
        deadline = current.deadline if current else None
        shown = shown_status(m.kind, deadline, done_on, as_of, calendar, due_soon_working_days)
        latest = by_item.get(m.item_id)
        note_row = noted.get(m.item_id)
        rows.append(
            StatusRow(
                item_id=m.item_id,
                unit=m.unit_name,
                plan=m.plan_code,
                item=f"{m.plan_code}#{m.number}",
                content=m.content,
                area_code=m.area_code,
                area=m.area_title,
                lead=leads[m.item_id],
                milestone_id=m.id,
                label=m.label,
                kind=m.kind,
                deadline_text=m.deadline_text,
                nominal_due=current.nominal if current else None,
                effective_due=current.effective if current else None,
                extended_due=current.extended if current else None,
                shown=shown,
                stored=(update.status if update else (latest.status if latest and m.kind == "continuous" else None)),
                days_overdue=(as_of - deadline).days if shown is Shown.OVERDUE and deadline else None,
                working_days_left=(
                    calendar.working_days_between(as_of, deadline)
                    if deadline and shown in (Shown.DUE_SOON, Shown.ON_TRACK)
                    else None
                ),
                last_note=note_row.note if note_row else None,
                last_update=latest.as_of if latest else None,
                product=(update.product if update and update.product else m.product),
                event=m.event,
                number=m.number,
                plan_title=m.plan_title,
            )
        )
    rows.sort(key=attention_key)
    by_area_map: dict[str, Group] = {}
    for row in rows:
        area_name = f"{row.area_code}. {row.area}" if row.area_code else "(không thuộc lĩnh vực)"
        by_area_map.setdefault(area_name, Group(area_name)).rows.append(row)
    by_area = sorted(by_area_map.values(), key=lambda g: area_order(g.name))
    return StatusReport(as_of=as_of, rows=rows, by_office=group_by_office(rows), by_area=by_area,
                        office_short=office_short)


UNKNOWN_OFFICE = "Chưa xác định cơ quan"  # the group of items whose lead office name matched no office yet


def group_by_office(rows: list[StatusRow]) -> list[Group]:
    """Rows per lead office (a row led by several offices counts for each), most overdue first."""
    groups: dict[str, Group] = {}
    for row in rows:
        for name in row.lead or [UNKNOWN_OFFICE]:
            groups.setdefault(name, Group(name)).rows.append(row)
    return sorted(groups.values(), key=lambda g: (-g.totals[Shown.OVERDUE.value], g.name))


def _done_on(update) -> date | None:
    if update is not None and update.status == "hoan_thanh":
        return update.as_of
    return None

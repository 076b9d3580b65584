"""The leadership's pages: a unit's overview, and one item with its escalation state, due dates
that may be extended, extensions granted and acknowledgements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select

from calendars.workdays import WorkCalendar
from dondoc.configuration import Policy
from dondoc.domain.chasing import OpenDue, escalation_level
from dondoc.domain.status import Shown
from dondoc.storage.dues import open_dues
from dondoc.storage.models import Acknowledgement, Extension, Item, Occurrence, Plan
from dondoc.storage.statusrun import Group, StatusReport, StatusRow, attention_key, item_rows, totals
from dondoc.usecases.context import Context
from dondoc.usecases.pages import Bar, ItemCard, chart_bars, item_cards, status_report


@dataclass
class Escalation:
    """One overdue due date of an item, its escalation level reached today and whether leadership saw it."""

    occurrence_id: int
    nominal: date
    deadline: date
    days_overdue: int
    level: int
    acknowledged: bool


@dataclass
class ExtensionInfo:
    previous_due: date
    new_due: date
    nominal_due: date
    granted_by: str
    reason: str | None
    granted_at: datetime


@dataclass
class AckInfo:
    deadline: date
    acknowledged_by: str
    note: str | None
    at: datetime


def escalations(engine: Engine, as_of: date, item_ids: list[int], policy: Policy,
                calendar: WorkCalendar) -> dict[int, list[Escalation]]:
    """Each item's overdue due dates with the escalation level reached on ``as_of`` (four queries)."""
    result: dict[int, list[Escalation]] = defaultdict(list)
    if not item_ids:
        return result
    for due in open_dues(engine, as_of, item_ids):
        if due.deadline >= as_of:
            continue
        result[due.item_id].append(Escalation(
            occurrence_id=due.occurrence_id,
            nominal=due.nominal,
            deadline=due.deadline,
            days_overdue=(as_of - due.deadline).days,
            level=escalation_level(due, as_of, policy, calendar),
            acknowledged=due.acknowledged,
        ))
    return result


def open_due_dates(engine: Engine, as_of: date, item_id: int) -> list[OpenDue]:
    """The item's due dates not done on ``as_of`` (what an extension may move)."""
    return sorted(open_dues(engine, as_of, [item_id]), key=lambda d: (d.deadline, d.nominal))


def extensions_of(engine: Engine, item_id: int) -> list[ExtensionInfo]:
    with engine.connect() as conn:
        return [
            ExtensionInfo(r.previous_due, r.new_due, r.nominal_due, r.granted_by, r.reason, r.granted_at)
            for r in conn.execute(
                select(Extension.previous_due, Extension.new_due, Extension.granted_by, Extension.reason,
                       Extension.granted_at, Occurrence.nominal_due)
                .join(Occurrence, Occurrence.id == Extension.occurrence_id)
                .where(Occurrence.item_id == item_id)
                .order_by(Extension.granted_at.desc(), Extension.id.desc())
            )
        ]


def acknowledgements_of(engine: Engine, item_id: int) -> list[AckInfo]:
    with engine.connect() as conn:
        return [
            AckInfo(r.deadline, r.acknowledged_by, r.note, r.at)
            for r in conn.execute(
                select(Acknowledgement.deadline, Acknowledgement.acknowledged_by, Acknowledgement.note,
                       Acknowledgement.at)
                .join(Occurrence, Occurrence.id == Acknowledgement.occurrence_id)
                .where(Occurrence.item_id == item_id)
                .order_by(Acknowledgement.id.desc())
            )
        ]


def item_groups(groups: list[Group]) -> list[Group]:
    """The same groups (by office, by area) counting items instead of due dates."""
    return [Group(g.name, item_rows(g.rows)) for g in groups]


@dataclass
class LeadershipView:
    report: StatusReport
    plans: list[tuple[str, str]]  # (code, title)
    overdue: list[StatusRow]  # each overdue due date (an item with two overdue due dates has two rows)
    escalation_of: dict[tuple[int, int], Escalation | None]  # (item id, milestone id) -> today's escalation
    office_bars: list[Bar]
    areas: list[Group]  # by area, counting items
    done: list[StatusRow]
    offices: list[Group] = field(default_factory=list)  # by lead office, counting items
    items: list[StatusRow] = field(default_factory=list)  # one row per item, its most urgent due date
    due_soon: list[StatusRow] = field(default_factory=list)

    @property
    def item_totals(self) -> dict[str, int]:
        """Items per shown status (an item counts once, under its most urgent due date)."""
        return totals(self.items)

    @property
    def milestone_totals(self) -> dict[str, int]:
        return self.report.totals

    @property
    def several_plans(self) -> bool:
        return len(self.plans) > 1


def leadership_view(ctx: Context, unit_id: int) -> LeadershipView:
    """A unit's overview for its leadership: totals, by office and area, the overdue with their escalation."""
    today = ctx.today()
    report = status_report(ctx.engine, unit_id, today, ctx.calendar, ctx.due_soon)
    overdue = [r for r in report.rows if r.shown is Shown.OVERDUE]
    states = escalations(ctx.engine, today, sorted({r.item_id for r in overdue}), ctx.policy, ctx.calendar)
    escalation_of = {}
    for row in overdue:
        deadline = row.extended_due or row.effective_due
        escalation_of[(row.item_id, row.milestone_id)] = next(
            (e for e in states.get(row.item_id, []) if e.deadline == deadline), None)
    with ctx.engine.connect() as conn:
        plans = [tuple(r) for r in conn.execute(select(Plan.code, Plan.title).where(Plan.unit_id == unit_id)
                                                 .order_by(Plan.id))]
    offices = item_groups(report.by_office)
    return LeadershipView(
        report, plans, overdue, escalation_of, chart_bars(offices), item_groups(report.by_area),
        [r for r in report.rows if r.shown in (Shown.DONE_ON_TIME, Shown.DONE_LATE)],
        offices=offices, items=item_rows(report.rows),
        due_soon=sorted((r for r in report.rows if r.shown is Shown.DUE_SOON), key=attention_key),
    )


@dataclass
class LeadershipItemView:
    card: ItemCard
    escalations: list[Escalation]
    open_dues: list[OpenDue]
    extensions: list[ExtensionInfo]
    acks: list[AckInfo]
    plan_title: str = ""  # the item's plan, as people read it (the card's plan is its code)


def leadership_item_view(ctx: Context, unit_id: int, item_id: int) -> LeadershipItemView | None:
    """One item of the unit with its escalation state, due dates that may be extended, extensions and
    acknowledgements; None when the item is not the unit's."""
    today = ctx.today()
    report = status_report(ctx.engine, unit_id, today, ctx.calendar, ctx.due_soon)
    cards = item_cards(ctx.engine, [item_id], report)
    if not cards:
        return None
    with ctx.engine.connect() as conn:
        title = conn.scalar(select(Plan.title).join(Item, Item.plan_id == Plan.id).where(Item.id == item_id))
    return LeadershipItemView(
        cards[0], escalations(ctx.engine, today, [item_id], ctx.policy, ctx.calendar).get(item_id, []),
        open_due_dates(ctx.engine, today, item_id), extensions_of(ctx.engine, item_id),
        acknowledgements_of(ctx.engine, item_id), plan_title=title or "",
    )

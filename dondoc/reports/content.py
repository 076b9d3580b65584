"""What a periodic report says, computed at the period's data cut-off.

One status run (set-based) at the cut-off gives every row; the report adds the
on-time rate, the done dates (one query), the extensions granted within the
period (one query) and what changed since the previous report (the previous
period's status run, unless its content is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.periods import PeriodError, ReportPeriod, SendDeadline, make_period
from dondoc.domain.status import Shown
from dondoc.storage.models import Extension, Item, Milestone, Occurrence, Plan, StatusUpdate, Unit
from dondoc.storage.statusrun import StatusReport, StatusRow, run_status, totals
from dondoc.usecases.context import Context

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DONE = (Shown.DONE_ON_TIME, Shown.DONE_LATE)


@dataclass
class GroupTotals:
    name: str
    totals: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.totals.values())


@dataclass
class DoneRow:
    row: StatusRow
    done_on: date | None


@dataclass
class ExtensionRow:
    item: str
    content: str
    label: str | None
    previous_due: date
    new_due: date
    granted_by: str
    reason: str | None
    granted_on: date
    unit: str | None = None
    number: str = ""  # the item's number in its plan: "Mục 37" for people (``item`` keeps the code)
    plan_title: str = ""


@dataclass
class Change:
    row: StatusRow | None  # the row now (None: no longer listed)
    item: str
    content: str
    label: str | None
    before: Shown | None  # None: not listed in the previous report
    after: Shown | None
    number: str = ""
    plan_title: str = ""
    unit: str | None = None


OPEN = (Shown.ON_TRACK, Shown.DUE_SOON, Shown.OVERDUE)


class RowCounts:
    """Totals by shown status, done count and on-time rate of ``self.rows`` (a report, or one unit of it)."""

    rows: list[StatusRow]

    @property
    def totals(self) -> dict[str, int]:
        return totals(self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def done_count(self) -> int:
        t = self.totals
        return t[Shown.DONE_ON_TIME.value] + t[Shown.DONE_LATE.value]

    @property
    def on_time_rate(self) -> float | None:
        """Done on time / all done; None when nothing is done yet."""
        t = self.totals
        done = t[Shown.DONE_ON_TIME.value] + t[Shown.DONE_LATE.value]
        return t[Shown.DONE_ON_TIME.value] / done if done else None


@dataclass
class ReportContent(RowCounts):
    period: ReportPeriod
    status: StatusReport
    done: list[DoneRow]
    extensions: list[ExtensionRow]
    changes: list[Change]
    previous: ReportPeriod | None
    deadlines: list[SendDeadline] = field(default_factory=list)
    deadline_problems: list[str] = field(default_factory=list)
    next_period: ReportPeriod | None = None  # the period after this one (its items due are the next focus)

    @property
    def cutoff(self) -> date:
        return self.period.cutoff

    def item_label(self, row) -> str:
        """"Mục 37" for a row (status row, extension, change); "KH CCHC 2026–2030, mục 37" when the row's
        unit follows several plans, so that two plans' items 37 are told apart. Never the plan code."""
        several = self._units_with_several_plans
        unit = getattr(row, "unit", None)
        return item_label(row.number, short_plan_title(row.plan_title) if unit in several else None)

    @property
    def _units_with_several_plans(self) -> set:
        cached = self.__dict__.get("_several")
        if cached is None:
            plans: dict = {}
            for r in self.status.rows:
                plans.setdefault(r.unit, set()).add(r.plan)
            cached = self.__dict__["_several"] = {u for u, p in plans.items() if len(p) > 1}
        return cached

    @property
    def due_next(self) -> list[StatusRow]:
        """Open items whose due date (extended, else effective) falls after the cut-off, up to the next
        period's cut-off: the focus of the next period."""
        if self.next_period is None:
            return []
        end = self.next_period.cutoff
        rows = [r for r in self.status.rows if r.shown in OPEN and r.shown is not Shown.OVERDUE
                and (r.extended_due or r.effective_due) and self.cutoff < (r.extended_due or r.effective_due) <= end]
        return sorted(rows, key=lambda r: (r.extended_due or r.effective_due, r.item))

    @property
    def blocked(self) -> list[StatusRow]:
        """Open items whose office reported a difficulty ("vướng mắc"), overdue or not."""
        return [r for r in self.status.rows if r.stored == "vuong_mac" and r.shown not in DONE]

    @property
    def rows(self) -> list[StatusRow]:
        return self.status.rows

    @property
    def by_area(self) -> list[GroupTotals]:
        return [GroupTotals(g.name, g.totals) for g in self.status.by_area]

    @property
    def by_office(self) -> list[GroupTotals]:
        return [GroupTotals(g.name, g.totals) for g in self.status.by_office]

    @property
    def overdue(self) -> list[StatusRow]:
        return [r for r in self.status.rows if r.shown is Shown.OVERDUE]

    @property
    def continuous(self) -> list[StatusRow]:
        return self.status.continuous

    @property
    def awaiting(self) -> list[StatusRow]:
        return self.status.awaiting

    @property
    def unset(self) -> list[StatusRow]:
        return self.status.unset


NEXT_CODE = {"Q1": "H1", "H1": "Q3", "Q3": "Y", "Y": "Q1"}


def next_period(period: ReportPeriod, reporting) -> ReportPeriod | None:
    """The report after this one: Q1 -> H1 -> Q3 -> Y -> next year's Q1 (None when not configured)."""
    code = NEXT_CODE.get(period.code)
    if code is None:
        return None
    try:
        return make_period(period.year + 1 if period.code == "Y" else period.year, code, reporting)
    except PeriodError:
        return None


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def _unit_filter(unit_ids):
    return [Item.removed_at.is_(None), *([Plan.unit_id.in_(unit_ids)] if unit_ids else [])]


def _done_dates(engine: Engine, cutoff: date, unit_ids) -> dict[int, date]:
    """The latest "hoàn thành" date (as of the cut-off) per milestone: one query."""
    query = (
        select(StatusUpdate.milestone_id, func.max(StatusUpdate.as_of))
        .join(Item, Item.id == StatusUpdate.item_id)
        .join(Plan, Plan.id == Item.plan_id)
        .where(StatusUpdate.status == "hoan_thanh", StatusUpdate.as_of <= cutoff, StatusUpdate.milestone_id.is_not(None),
               *_unit_filter(unit_ids))
        .group_by(StatusUpdate.milestone_id)
    )
    with engine.connect() as conn:
        return {mid: day for mid, day in conn.execute(query)}


def _extensions(engine: Engine, period: ReportPeriod, unit_ids) -> list[ExtensionRow]:
    """Extensions granted within the period (start .. cut-off, local days): one query."""
    start = datetime.combine(period.start, time.min, TZ)
    end = datetime.combine(period.cutoff + timedelta(days=1), time.min, TZ)
    query = (
        select(
            Plan.code, Plan.title, Item.number, Item.content, Milestone.label,
            Extension.previous_due, Extension.new_due, Extension.granted_by, Extension.reason, Extension.granted_at,
            Unit.name.label("unit"),
        )
        .join(Occurrence, Occurrence.id == Extension.occurrence_id)
        .join(Milestone, Milestone.id == Occurrence.milestone_id)
        .join(Item, Item.id == Occurrence.item_id)
        .join(Plan, Plan.id == Item.plan_id)
        .join(Unit, Unit.id == Plan.unit_id)
        .where(Extension.granted_at >= start, Extension.granted_at < end, *_unit_filter(unit_ids))
        .order_by(Extension.granted_at, Extension.id)
    )
    result = []
    with engine.connect() as conn:
        for r in conn.execute(query):
            granted = r.granted_at
            if granted.tzinfo is None:  # SQLite gives naive UTC
                granted = granted.replace(tzinfo=ZoneInfo("UTC"))
            result.append(ExtensionRow(f"{r.code}#{r.number}", r.content, r.label, r.previous_due, r.new_due,
                                       r.granted_by, r.reason, granted.astimezone(TZ).date(), r.unit,
                                       str(r.number), r.title or ""))
    return result


def _changes(now: list[StatusRow], before: list[StatusRow]) -> list[Change]:
    old = {r.milestone_id: r for r in before}
    new_ids = {r.milestone_id for r in now}
    changes = [
        Change(r, r.item, r.content, r.label, old[r.milestone_id].shown if r.milestone_id in old else None, r.shown,
               r.number, r.plan_title, r.unit)
        for r in now
        if r.milestone_id not in old or old[r.milestone_id].shown is not r.shown
    ]
    changes += [Change(None, r.item, r.content, r.label, r.shown, None, r.number, r.plan_title, r.unit)
                for r in before if r.milestone_id not in new_ids]
    return changes


def compile_report(
    ctx: Context,
    period: ReportPeriod,
    *,
    unit_ids: list[int] | None = None,
    previous: ReportContent | StatusReport | None = None,
    compare_previous: bool = True,
) -> ReportContent:
    """The report's content at ``period.cutoff``.

    ``previous``: the previous report's content (or status run) to compare with; when
    absent and ``compare_previous`` is set, the status run at the previous period's cut-off.
    """
    engine, calendar, due_soon_working_days = ctx.engine, ctx.calendar, ctx.due_soon
    status = run_status(engine, period.cutoff, calendar, due_soon_working_days=due_soon_working_days, unit_ids=unit_ids)
    done_dates = _done_dates(engine, period.cutoff, unit_ids)
    done = [DoneRow(r, done_dates.get(r.milestone_id)) for r in status.rows if r.shown in DONE]
    done.sort(key=lambda d: (d.done_on or date.max, d.row.item))
    prev_period = period.previous(ctx.reporting)
    if isinstance(previous, (ReportContent, StatusReport)):
        prev_rows = previous.rows
    elif compare_previous:
        prev_rows = run_status(
            engine, prev_period.cutoff, calendar, due_soon_working_days=due_soon_working_days, unit_ids=unit_ids
        ).rows
    else:
        prev_rows, prev_period = None, None
    changes = _changes(status.rows, prev_rows) if prev_rows is not None else []
    return ReportContent(
        period=period,
        status=status,
        done=done,
        extensions=_extensions(engine, period, unit_ids),
        changes=changes,
        previous=prev_period,
        deadlines=period.send_deadlines(calendar, ctx.reporting),
        deadline_problems=period.deadline_problems(calendar, ctx.reporting),
        next_period=next_period(period, ctx.reporting),
    )

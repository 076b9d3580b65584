"""The province report: one report over the plans of all its communes.

A unit aggregates when it is a province or has child units. Its report is compiled
from one status run over the plans of every unit below it (and its own, if any):
set-based, the same queries as a commune's report whatever the number of
communes. The per-unit summary (totals by status, on-time rate, totals by office)
is a grouping of that one run's rows by unit, in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from dondoc.storage.models import Plan, Unit
from dondoc.reports.content import GroupTotals, ReportContent, RowCounts, compile_report
from dondoc.domain.periods import ReportPeriod
from dondoc.storage.statusrun import StatusRow, group_by_office
from dondoc.usecases.context import Context

@dataclass
class UnitSummary(RowCounts):
    """One unit of the province report: its rows of the province status run."""

    unit_id: int
    name: str
    rows: list[StatusRow] = field(default_factory=list)

    @property
    def by_office(self) -> list[GroupTotals]:
        """Totals per lead office, most overdue first (as the status run orders them)."""
        return [GroupTotals(g.name, g.totals) for g in group_by_office(self.rows)]


@dataclass
class ProvinceReport:
    unit: str  # the province's name
    content: ReportContent  # over every member unit
    units: list[UnitSummary]  # one per member unit, in the order of ``member_units``

    @property
    def unit_totals(self) -> list[GroupTotals]:
        return [GroupTotals(u.name, u.totals) for u in self.units]


def child_units(engine: Engine, unit_id: int) -> list[tuple[int, str]]:
    """Every unit below ``unit_id`` (children, their children…), by id: one query per level."""
    found: list[tuple[int, str]] = []
    level = [unit_id]
    seen = {unit_id}
    with engine.connect() as conn:
        while level:
            rows = conn.execute(
                select(Unit.id, Unit.name).where(Unit.parent_id.in_(level)).order_by(Unit.id)
            ).all()
            rows = [(i, n) for i, n in rows if i not in seen]
            seen.update(i for i, _ in rows)
            found.extend(rows)
            level = [i for i, _ in rows]
    return sorted(found)


def is_aggregate(engine: Engine, unit: Unit) -> bool:
    """A province, or a unit with units below it."""
    if unit.level == "province":
        return True
    with engine.connect() as conn:
        return conn.execute(select(Unit.id).where(Unit.parent_id == unit.id).limit(1)).first() is not None


def member_units(engine: Engine, unit: Unit) -> list[tuple[int, str]]:
    """The units the province report covers: its own (when it has plans), then every unit below it."""
    with engine.connect() as conn:
        own = conn.execute(select(Plan.id).where(Plan.unit_id == unit.id).limit(1)).first() is not None
    return ([(unit.id, unit.name)] if own else []) + child_units(engine, unit.id)


def summarize_units(rows: list[StatusRow], units: list[tuple[int, str]]) -> list[UnitSummary]:
    """Group a status run's rows by unit, in one pass; units without rows are kept (all zero)."""
    by_name = {name: UnitSummary(unit_id, name) for unit_id, name in units}
    for row in rows:
        summary = by_name.get(row.unit)
        if summary is not None:
            summary.rows.append(row)
    return list(by_name.values())


def compile_province(ctx: Context, unit: Unit, period: ReportPeriod, *, compare_previous: bool = True) -> ProvinceReport:
    units = member_units(ctx.engine, unit)
    # No member unit: an empty report rather than (unit_ids=[] meaning) every unit in the database.
    unit_ids = [i for i, _ in units] or [unit.id]
    content = compile_report(ctx, period, unit_ids=unit_ids, compare_previous=compare_previous)
    return ProvinceReport(unit.name, content, summarize_units(content.rows, units))

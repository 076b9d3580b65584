"""Who may open what: a secret link to its scope, and the rows that scope may see or change.

Every page resolves its token here (an unknown, mistyped or rotated token gives
None, which the pages answer with the same 404), then asks for rows only within
the link's unit (and office).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.lookups import LookupFailed, find_one_office, find_unit, named_or_only_unit
from dondoc.storage.models import (
    Evidence,
    Item,
    ItemOffice,
    Milestone,
    Office,
    Plan,
    ReportRun,
    StatusUpdate,
    Unit,
)
from dondoc.usecases.context import Context


@dataclass(frozen=True)
class Scope:
    """What a link opens: a unit, and for office links one of its offices."""

    link_id: int
    kind: str
    token_sha256: str
    unit_id: int
    unit_name: str
    unit_level: str
    office_id: int | None = None
    office_name: str | None = None

    @property
    def name(self) -> str:
        """Whose page it is: the office, or the unit."""
        return self.office_name or self.unit_name


def resolve(ctx: Context, token: str, *kinds: str) -> Scope | None:
    """The active link for ``token`` among ``kinds`` (all kinds when none); None otherwise."""
    with read_session(ctx.engine) as session:
        link = links.resolve(session, token, kinds or links.KINDS)
        if link is None:
            return None
        office = session.get(Office, link.office_id) if link.office_id is not None else None
        if link.office_id is not None and office is None:
            return None
        return Scope(link.id, link.kind, link.token_sha256, link.unit_id, link.unit.name, link.unit.level,
                     office.id if office else None, office.name if office else None)


def item_ref(ctx: Context, scope: Scope, item_id: int) -> str | None:
    """"<plan code>#<number>" of an item the scope may see (of its unit, and of its office for office
    links); None otherwise."""
    query = (select(Plan.code, Item.number).join(Item, Item.plan_id == Plan.id)
             .where(Item.id == item_id, Item.removed_at.is_(None), Plan.unit_id == scope.unit_id))
    if scope.office_id is not None:
        query = query.join(ItemOffice, ItemOffice.item_id == Item.id).where(ItemOffice.office_id == scope.office_id)
    with ctx.engine.connect() as conn:
        row = conn.execute(query).first()
    return f"{row.code}#{row.number}" if row else None


def milestone_count(ctx: Context, item_id: int) -> int:
    with ctx.engine.connect() as conn:
        return len(conn.execute(select(Milestone.id).where(Milestone.item_id == item_id,
                                                             Milestone.active.is_(True))).all())


def evidence(ctx: Context, scope: Scope, evidence_id: int) -> Evidence | None:
    """An evidence file of the scope's unit; an office sees only the files it sent itself."""
    query = (select(Evidence)
             .join(StatusUpdate, StatusUpdate.id == Evidence.status_update_id)
             .join(Item, Item.id == StatusUpdate.item_id)
             .join(Plan, Plan.id == Item.plan_id)
             .where(Evidence.id == evidence_id, Plan.unit_id == scope.unit_id))
    if scope.office_id is not None:
        query = (query.join(ItemOffice, (ItemOffice.item_id == Item.id) & (ItemOffice.office_id == scope.office_id))
                 .where(StatusUpdate.reported_by == scope.office_name))
    with read_session(ctx.engine) as session:
        found = session.execute(query).scalars().first()
        if found is not None:
            session.expunge(found)
        return found


@dataclass(frozen=True)
class CompiledReport:
    """A compiled report: where its files are and which of them were recorded."""

    run_id: int
    period: str
    stage: str
    as_of: date
    directory: str
    files: tuple[str, ...]


def report_run(ctx: Context, scope: Scope, run_id: int) -> CompiledReport | None:
    """A compiled report of the scope's unit."""
    with read_session(ctx.engine) as session:
        run = session.get(ReportRun, run_id)
        if run is None or run.unit_id != scope.unit_id:
            return None
        return CompiledReport(run.id, run.period, run.stage, run.as_of, run.directory, tuple(run.files or ()))


@dataclass
class WaitingMilestone:
    milestone_id: int
    item_id: int
    plan: str
    number: str
    content: str
    event: str


@dataclass
class UnitItem:
    item_id: int
    plan: str
    number: str
    content: str


def waiting_milestones(ctx: Context, unit_id: int) -> list[WaitingMilestone]:
    """Event milestones of the unit's items still awaiting their trigger."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(Milestone.id, Milestone.event, Milestone.text, Item.id.label("item_id"), Item.number, Item.content,
                   Plan.code)
            .join(Item, Item.id == Milestone.item_id).join(Plan, Plan.id == Item.plan_id)
            .where(Plan.unit_id == unit_id, Item.removed_at.is_(None), Milestone.active.is_(True),
                   Milestone.kind == "event", Milestone.triggered_on.is_(None))
            .order_by(Plan.id, Item.position, Milestone.position)).all()
    return [WaitingMilestone(r.id, r.item_id, r.code, r.number, r.content, r.event or r.text) for r in rows]


def unit_items(ctx: Context, unit_id: int) -> list[UnitItem]:
    """Every current item of the unit, in appendix order."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(Item.id, Item.number, Item.content, Plan.code).join(Plan, Plan.id == Item.plan_id)
                            .where(Plan.unit_id == unit_id, Item.removed_at.is_(None))
                            .order_by(Plan.id, Item.position)).all()
    return [UnitItem(r.id, r.code, r.number, r.content) for r in rows]


def unit_plans(ctx: Context, unit_id: int) -> list[Plan]:
    with read_session(ctx.engine) as session:
        plans = list(session.scalars(select(Plan).where(Plan.unit_id == unit_id).order_by(Plan.id)))
        session.expunge_all()
        return plans


def event_milestone(ctx: Context, unit_id: int, milestone_id: int) -> tuple[int, str, str] | None:
    """(item id, item reference, the milestone's position among the item's active ones) of an event
    milestone of the unit awaiting its trigger; None otherwise."""
    with read_session(ctx.engine) as session:
        milestone = session.get(Milestone, milestone_id)
        if milestone is None or milestone.kind != "event" or not milestone.active:
            return None
        row = session.execute(select(Item.id, Item.number, Plan.code).join(Plan)
                              .where(Item.id == milestone.item_id, Plan.unit_id == unit_id,
                                     Item.removed_at.is_(None))).first()
        if row is None:
            return None
        active = [m.id for m in session.scalars(select(Milestone).where(
            Milestone.item_id == row.id, Milestone.active.is_(True)).order_by(Milestone.position))]
        return row.id, f"{row.code}#{row.number}", str(active.index(milestone.id) + 1)


def unit_links(ctx: Context, unit_id: int) -> list[dict]:
    """Every link of the unit, issued now when missing (they are secrets: shown to the standing office only)."""
    with unit_of_work(ctx.engine) as session:
        return links.unit_links(session, session.get(Unit, unit_id), ctx.public_url)


def rotate_link(ctx: Context, unit_id: int, kind: str, office_id: int | None, actor: str) -> str:
    """Revoke the scope's link and issue a new one; returns the new token. Raises LookupFailed for an
    office that is not the unit's, ValueError for an unknown kind."""
    if kind not in links.KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    with unit_of_work(ctx.engine) as session:
        if kind in links.OFFICE_KINDS:
            office = session.get(Office, office_id) if office_id is not None else None
            if office is None or office.unit_id != unit_id:
                raise LookupFailed("Không có cơ quan này trong đơn vị (unknown office).")
        else:
            office_id = None
        return links.rotate(session, kind, unit_id, office_id, actor=actor).token


@dataclass
class UnitLinks:
    unit: str
    rows: list[dict]


def links_for(ctx: Context, unit: str | None = None) -> list[UnitLinks]:
    """Every link of one unit (by name) or of all units, issued when missing."""
    with unit_of_work(ctx.engine) as session:
        units = [find_unit(session, unit)] if unit else list(session.scalars(select(Unit).order_by(Unit.name)))
        return [UnitLinks(u.name, links.unit_links(session, u, ctx.public_url)) for u in units]


@dataclass
class Rotated:
    unit: str
    label: str
    url: str


def rotate_named(ctx: Context, kind: str, *, unit: str | None = None, office: str | None = None) -> Rotated:
    """Rotate a link named as a person types it: a kind, a unit (when several) and an office for office links."""
    with read_session(ctx.engine) as session:
        if office:
            found = find_one_office(session, office, unit)
            unit_id, unit_name, office_id = found.unit_id, found.unit.name, found.id
            label = f"{links.KIND_LABELS[kind]}: {found.name}"
        else:
            unit_row = named_or_only_unit(session, unit, with_plans=False)
            unit_id, unit_name, office_id, label = unit_row.id, unit_row.name, None, links.KIND_LABELS[kind]
    token = rotate_link(ctx, unit_id, kind, office_id, actor="cli")
    return Rotated(unit_name, label, links.url_for(ctx.public_url, kind, token))

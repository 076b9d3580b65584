"""What the office and leadership pages show, read set-based: one status run per page,
then a fixed number of queries for the items' offices, milestones, history and files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Engine, select

from calendars.workdays import WorkCalendar
from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.status import ATTENTION_ORDER, Shown, Stored
from dondoc.storage.models import (
    Area,
    Evidence,
    Item,
    ItemOffice,
    Milestone,
    Office,
    Plan,
    StatusUpdate,
)
from dondoc.storage.statusrun import StatusReport, StatusRow, attention_key, run_status
from dondoc.text import item_number_key
from dondoc.usecases.context import Context

SOURCE_LABELS = {"web": "trang web", "cli": "cơ quan thường trực", "standing": "cơ quan thường trực ghi thay",
                 "sheet": "bảng tính", "import": "nhập kế hoạch"}


@dataclass
class EvidenceInfo:
    id: int
    filename: str
    size: int


@dataclass
class HistoryEntry:
    id: int
    as_of: date
    recorded_at: datetime
    status: str
    note: str | None
    product: str | None
    reported_by: str | None
    source: str
    evidence: list[EvidenceInfo] = field(default_factory=list)
    part: str = "lead"  # "coop": a cooperating office's report of its own part (it never sets the status)

    @property
    def status_label(self) -> str:
        try:
            return Stored(self.status).label
        except ValueError:
            return self.status

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass
class MilestoneChoice:
    index: int  # 1-based among the item's active milestones (what record_update takes)
    label: str


@dataclass
class ItemCard:
    item_id: int
    ref: str
    plan: str
    number: str
    content: str
    area: str | None
    deadline_text: str
    expected_product: str | None
    role: str | None  # lead | coop for an office's page
    leads: list[str]
    cooperating: list[str]
    rows: list[StatusRow] = field(default_factory=list)
    milestones: list[MilestoneChoice] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    history_count: int = 0
    plan_title: str = ""

    @property
    def plan_short(self) -> str:
        """The plan's short title ("KH CCHC 2026–2030"), for people."""
        return short_plan_title(self.plan_title)

    def label(self, with_plan: bool = False) -> str:
        """"Mục 37", with the plan's short title when several plans are in view."""
        return item_label(self.number, self.plan_short if with_plan else None)

    @property
    def continuous(self) -> bool:
        """Every milestone of the item is continuous ("thường xuyên"): no due date to watch."""
        return bool(self.rows) and all(r.shown is Shown.CONTINUOUS for r in self.rows)

    def has(self, *shown: Shown) -> bool:
        return any(r.shown in shown for r in self.rows)

    @property
    def blocked(self) -> bool:
        """A milestone still open whose latest report is "vướng mắc"."""
        return any(r.stored == Stored.BLOCKED.value and not r.shown.value.startswith("hoan_thanh") for r in self.rows)

    @property
    def shown(self) -> Shown | None:
        """The most urgent shown status among the item's milestones."""
        if not self.rows:
            return None
        return min((r.shown for r in self.rows), key=ATTENTION_ORDER.__getitem__)

    @property
    def colour(self) -> str:
        return self.shown.colour if self.shown else "grey"

    def sort_key(self) -> tuple:
        first = min((attention_key(r) for r in self.rows), default=(len(ATTENTION_ORDER), 0, date.max))
        return (0 if self.role in (None, "lead") else 1, first[:3], self.plan, item_number_key(self.number))


class OfficeScope(Protocol):
    """Whose page: an office of a unit (a resolved office link)."""

    unit_id: int
    office_id: int


@dataclass
class OfficeView:
    office: OfficeScope
    report: StatusReport
    cards: list[ItemCard]

    @property
    def lead_cards(self) -> list[ItemCard]:
        return [c for c in self.cards if c.role == "lead"]

    @property
    def coop_cards(self) -> list[ItemCard]:
        return [c for c in self.cards if c.role != "lead"]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for card in self.cards:
            if card.shown is not None:
                counts[card.shown.value] += 1
        return counts


def status_report(engine: Engine, unit_id: int, as_of: date, calendar: WorkCalendar, due_soon: int) -> StatusReport:
    return run_status(engine, as_of, calendar, due_soon_working_days=due_soon, unit_ids=[unit_id])


def item_cards(engine: Engine, item_ids: list[int], report: StatusReport,
               roles: dict[int, str] | None = None, history_limit: int | None = None) -> list[ItemCard]:
    """Cards for the items (their milestones' rows from ``report``, offices, milestones and history)."""
    if not item_ids:
        return []
    rows_by_item: dict[int, list[StatusRow]] = defaultdict(list)
    for row in report.rows:
        rows_by_item[row.item_id].append(row)
    with engine.connect() as conn:
        items = conn.execute(
            select(Item.id, Item.number, Item.content, Item.deadline_text, Item.product, Plan.code, Plan.title,
                   Area.code.label("area_code"), Area.title.label("area_title"))
            .join(Plan, Plan.id == Item.plan_id)
            .outerjoin(Area, Area.id == Item.area_id)
            .where(Item.id.in_(item_ids), Item.removed_at.is_(None))
        ).all()
        offices: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "coop": []})
        for item_id, role, name in conn.execute(
            select(ItemOffice.item_id, ItemOffice.role, Office.name)
            .join(Office, Office.id == ItemOffice.office_id)
            .where(ItemOffice.item_id.in_(item_ids))
            .order_by(ItemOffice.item_id, Office.id)
        ):
            offices[item_id].setdefault(role, []).append(name)
        milestones: dict[int, list[MilestoneChoice]] = defaultdict(list)
        for m in conn.execute(
            select(Milestone.item_id, Milestone.label, Milestone.kind, Milestone.text)
            .where(Milestone.item_id.in_(item_ids), Milestone.active.is_(True))
            .order_by(Milestone.item_id, Milestone.position)
        ):
            index = len(milestones[m.item_id]) + 1
            text = f"{m.label}: {m.text}" if m.label else m.text
            milestones[m.item_id].append(MilestoneChoice(index, f"{index}. {text}"))
    history = item_history(engine, item_ids)
    cards = []
    for it in items:
        entries = history.get(it.id, [])
        cards.append(ItemCard(
            item_id=it.id,
            ref=f"{it.code}#{it.number}",
            plan=it.code,
            number=it.number,
            content=it.content,
            area=f"{it.area_code}. {it.area_title}" if it.area_code else None,
            deadline_text=it.deadline_text,
            expected_product=it.product,
            role=(roles or {}).get(it.id),
            leads=offices[it.id]["lead"],
            cooperating=offices[it.id]["coop"],
            rows=rows_by_item.get(it.id, []),
            milestones=milestones.get(it.id, []),
            history=entries[:history_limit] if history_limit else entries,
            history_count=len(entries),
            plan_title=it.title,
        ))
    cards.sort(key=ItemCard.sort_key)
    return cards


def item_history(engine: Engine, item_ids: list[int]) -> dict[int, list[HistoryEntry]]:
    """Every update of the items, newest first, with their evidence files (two queries)."""
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    by_id: dict[int, HistoryEntry] = {}
    with engine.connect() as conn:
        for u in conn.execute(
            select(StatusUpdate.id, StatusUpdate.item_id, StatusUpdate.as_of, StatusUpdate.recorded_at,
                   StatusUpdate.status, StatusUpdate.note, StatusUpdate.product, StatusUpdate.reported_by,
                   StatusUpdate.source, StatusUpdate.part)
            .where(StatusUpdate.item_id.in_(item_ids))
            .order_by(StatusUpdate.item_id, StatusUpdate.as_of.desc(), StatusUpdate.id.desc())
        ):
            entry = HistoryEntry(u.id, u.as_of, u.recorded_at, u.status, u.note, u.product, u.reported_by, u.source,
                                 part=u.part)
            history[u.item_id].append(entry)
            by_id[u.id] = entry
        for e in conn.execute(
            select(Evidence.id, Evidence.status_update_id, Evidence.filename, Evidence.size)
            .join(StatusUpdate, StatusUpdate.id == Evidence.status_update_id)
            .where(StatusUpdate.item_id.in_(item_ids))
            .order_by(Evidence.id)
        ):
            by_id[e.status_update_id].evidence.append(EvidenceInfo(e.id, e.filename, e.size))
    return history


def office_view(ctx: Context, office: OfficeScope, item_id: int | None = None,
                history_limit: int | None = 3, *, report: StatusReport | None = None) -> OfficeView:
    """The office's items, lead then cooperating, what needs attention first (today, by the context's clock).
    ``report`` is the unit's status run when the caller has it (read before the items, so they are at least
    as new as the run); without it the run is made here."""
    engine, as_of = ctx.engine, ctx.today()
    query = (
        select(ItemOffice.item_id, ItemOffice.role)
        .join(Item, Item.id == ItemOffice.item_id)
        .join(Plan, Plan.id == Item.plan_id)
        .where(ItemOffice.office_id == office.office_id, Item.removed_at.is_(None), Plan.unit_id == office.unit_id)
    )
    if item_id is not None:
        query = query.where(ItemOffice.item_id == item_id)
    roles: dict[int, str] = {}
    with engine.connect() as conn:
        for iid, role in conn.execute(query):
            if role == "lead" or iid not in roles:
                roles[iid] = role
    if report is None:
        report = status_report(engine, office.unit_id, as_of, ctx.calendar, ctx.due_soon)
    cards = item_cards(engine, list(roles), report, roles, history_limit)
    return OfficeView(office, report, cards)


@dataclass
class Bar:
    """One stacked bar of the status chart: segments as (x, width, colour, count, label), in percent."""

    name: str
    total: int
    segments: list[tuple[float, float, str, int, str]]

    @property
    def summary(self) -> str:
        return ", ".join(f"{label}: {count}" for _, _, _, count, label in self.segments)


CHART_ORDER = [Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.DUE_SOON, Shown.OVERDUE,
               Shown.UNSET, Shown.AWAITING, Shown.CONTINUOUS]


def chart_bars(groups) -> list[Bar]:
    """Stacked bars for the groups, scaled to the largest group."""
    largest = max((len(g.rows) for g in groups), default=0) or 1
    bars = []
    for group in groups:
        totals = group.totals
        x = 0.0
        segments = []
        for shown in CHART_ORDER:
            count = totals[shown.value]
            if count:
                width = 100.0 * count / largest
                segments.append((round(x, 3), round(width, 3), shown.hex, count, shown.label))
                x += width
        bars.append(Bar(group.name, len(group.rows), segments))
    return bars

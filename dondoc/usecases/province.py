"""A unit with units under it (a province and its communes, wards and special zones) as its leadership and
standing office see it: totals over the tree, one row per commune ranked by overdue share (each a link to
that commune's own leadership page), and the items most overdue in the whole tree.

Set-based: one reading of every item's most urgent due date over the tree
(:func:`dondoc.storage.treestatus.most_urgent_states`, three queries whatever the number of communes), counted
per commune in one pass; then a few queries for the listed items only (their text, offices, acknowledgements)
and the communes' leadership links. No status run per commune.

The chasing ladder (``config/escalation.yaml``) ends at the commune: its last level goes to the commune's
leadership, repeated, then the slow cadence to the lead office. It has no province level, so what reaches the
province is named for what it is: the items overdue longest in the tree, marked when they are past the last
step of the commune's ladder (neither done, extended nor acknowledged after every reminder the commune sends).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from calendars.workdays import WorkCalendar
from dondoc.domain.chasing import OpenDue, escalation_level, last_escalation
from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.status import Shown
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.links import LEADERSHIP, path_for, url_for
from dondoc.storage.lookups import (
    has_child_units,
    unit_branches,
    unit_names,
    units_with_plans,
)
from dondoc.storage.treelinks import leadership_tokens
from dondoc.storage.treestatus import (
    ItemBrief,
    ItemState,
    acknowledged,
    item_briefs,
    most_urgent_states,
)
from dondoc.text import item_number_key, slugify
from dondoc.usecases.context import Context

MOST_OVERDUE = 20  # items listed under "quá hạn lâu nhất"
DONE = (Shown.DONE_ON_TIME, Shown.DONE_LATE)


def is_parent(ctx: Context, unit_id: int) -> bool:
    """Whether units are placed under the unit: its pages and feed then show the whole tree."""
    return has_units_under(ctx.engine, unit_id)


def has_units_under(engine: Engine, unit_id: int) -> bool:
    with read_session(engine) as session:
        return has_child_units(session, unit_id)


@dataclass
class MemberTotals:
    """One commune (with any unit under it) of a province: its items counted by their most urgent due date."""

    unit_id: int
    name: str
    counts: Counter = field(default_factory=Counter)  # Shown -> items
    worst_days: int = 0  # days overdue of its longest overdue item
    link: str | None = None  # the commune's own leadership page, as a path ("/l/…")
    url: str | None = None  # the same page as a full link to hand out
    own: bool = False  # the province's own plans, not a commune

    def add(self, shown: Shown, days_overdue: int | None) -> None:
        """Count one item of the commune by the shown status of its most urgent due date."""
        self.counts[shown] += 1
        self.worst_days = max(self.worst_days, days_overdue or 0)

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return self.counts[Shown.OVERDUE]

    @property
    def due_soon(self) -> int:
        return self.counts[Shown.DUE_SOON]

    @property
    def done(self) -> int:
        return self.counts[Shown.DONE_ON_TIME] + self.counts[Shown.DONE_LATE]

    @property
    def awaiting(self) -> int:
        return self.counts[Shown.AWAITING]

    @property
    def overdue_share(self) -> float:
        """Overdue items among all the commune's items (0 when it has none)."""
        return self.overdue / self.items if self.items else 0.0

    @property
    def share_text(self) -> str:
        """"4,8%": the overdue share as people write it."""
        return percent(self.overdue_share)

    def rank_key(self) -> tuple:
        """Worst first: the larger overdue share, then more overdue items, the longest overdue, more due soon."""
        return (-self.overdue_share, -self.overdue, -self.worst_days, -self.due_soon, slugify(self.name))


def percent(share: float) -> str:
    """A share as people write it, one decimal with a comma.

    >>> percent(0.0484), percent(0), percent(1)
    ('4,8%', '0%', '100%')
    """
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


@dataclass
class OverdueItem:
    """An overdue item of a commune, as the province lists it."""

    brief: ItemBrief
    deadline: date
    days_overdue: int
    working_days_late: int
    level: int  # the highest level of the commune's ladder reached
    acknowledged: bool  # the commune's leadership said "đã nắm"
    past_ladder: bool  # past the last step of the commune's ladder, still open and not acknowledged
    link: str | None = None  # the item on the commune's leadership page, as a path ("/l/…/items/…")

    @property
    def unit(self) -> str:
        return self.brief.unit

    @property
    def label(self) -> str:
        return item_label(self.brief.number)

    @property
    def plan_short(self) -> str:
        return short_plan_title(self.brief.plan_title)


@dataclass
class ProvinceView:
    unit_id: int
    name: str
    as_of: date
    totals: dict[str, int]  # items per shown status over the tree
    members: list[MemberTotals]  # ranked, worst first
    most_overdue: list[OverdueItem]
    overdue: int  # overdue items in the tree
    past_ladder: int  # of which past the last step of the communes' ladder
    last_step: int  # working days after the deadline of the ladder's last step
    top_level: int  # the ladder's last level (0: no escalation configured)

    @property
    def items(self) -> int:
        return sum(self.totals.values())

    @property
    def communes(self) -> list[MemberTotals]:
        return [m for m in self.members if not m.own]

    @property
    def overdue_share(self) -> str:
        return percent(self.overdue / self.items if self.items else 0.0)

    @property
    def communes_overdue(self) -> int:
        return sum(1 for m in self.communes if m.overdue)


@dataclass
class TreeStates:
    """Every item of a unit's tree with its most urgent due date, and the commune each one counts for."""

    unit_id: int
    branch: dict[int, int]  # unit of the tree -> the commune (unit directly under the root) it counts for
    names: dict[int, str]
    with_plans: set[int]
    states: list[ItemState]


def tree_states(engine: Engine, unit_id: int, as_of: date, calendar: WorkCalendar, due_soon: int) -> TreeStates:
    """The items of the unit's whole tree on ``as_of``, set-based."""
    with read_session(engine) as session:
        branch = unit_branches(session, unit_id)
        names = unit_names(session, list(branch))
        own = units_with_plans(session, [unit_id])
    states = most_urgent_states(engine, as_of, calendar, unit_ids=list(branch), due_soon_working_days=due_soon)
    return TreeStates(unit_id, branch, names, own, states)


def member_totals(tree: TreeStates) -> list[MemberTotals]:
    """Per commune (and the province's own plans, when it has any), ranked worst first."""
    members = {u: MemberTotals(u, tree.names.get(u, ""), own=u == tree.unit_id)
               for u in set(tree.branch.values()) if u != tree.unit_id or u in tree.with_plans}
    for state in tree.states:
        member = members.get(tree.branch.get(state.unit_id, tree.unit_id))
        if member is not None:
            member.add(state.shown, state.days_overdue)
    return sorted(members.values(), key=MemberTotals.rank_key)


def leadership_links(engine: Engine, unit_ids: list[int]) -> dict[int, str]:
    """The token of each unit's leadership page, the link issued now when it has none (as the standing page
    does for offices)."""
    if not unit_ids:
        return {}
    with unit_of_work(engine) as session:
        return leadership_tokens(session, unit_ids)


@dataclass
class Late:
    """An overdue item of the tree and where the commune's ladder stands for it."""

    state: ItemState
    working_days: int  # working days since the deadline
    acknowledged: bool
    past_ladder: bool  # the ladder's last step has been sent, and the item is still open and not acknowledged


def late_items(engine: Engine, tree: TreeStates, as_of: date, calendar: WorkCalendar, last_step: int) -> list[Late]:
    """Every overdue item of the tree, overdue longest first (one query for the acknowledgements)."""
    overdue = [s for s in tree.states if s.shown is Shown.OVERDUE and s.deadline is not None]
    acks = acknowledged(engine, [s.occurrence_id for s in overdue if s.occurrence_id is not None], as_of)
    result = []
    for s in overdue:
        late = calendar.working_days_between(s.deadline, as_of)
        seen = (s.occurrence_id, s.deadline) in acks
        result.append(Late(s, late, seen, late >= last_step and not seen))
    result.sort(key=lambda x: (-(x.state.days_overdue or 0), x.state.deadline, x.state.item_id))
    return result


def overdue_items(ctx: Context, tree: TreeStates, as_of: date, limit: int) -> tuple[list[OverdueItem], int, int]:
    """The ``limit`` items overdue longest, how many items are overdue, and how many are past the ladder."""
    policy, calendar = ctx.policy, ctx.calendar
    late = late_items(ctx.engine, tree, as_of, calendar, last_escalation(policy))
    briefs = item_briefs(ctx.engine, [x.state.item_id for x in late[:limit]], as_of)
    listed = []
    for x in late[:limit]:
        s, brief = x.state, briefs.get(x.state.item_id)
        if brief is None:
            continue
        due = OpenDue(s.occurrence_id or 0, s.item_id, s.milestone_id, "", brief.number, brief.content,
                      brief.area_code, None, s.deadline, s.deadline, brief.lead, ())
        listed.append(OverdueItem(brief, s.deadline, s.days_overdue or 0, x.working_days,
                                  escalation_level(due, as_of, policy, calendar), x.acknowledged, x.past_ladder))
    listed.sort(key=lambda o: (-o.days_overdue, slugify(o.unit), item_number_key(o.brief.number)))
    return listed, len(late), sum(1 for x in late if x.past_ladder)


def province_view(ctx: Context, unit_id: int, *, most_overdue: int = MOST_OVERDUE, links: bool = True) -> ProvinceView:
    """The province's overview today: totals over the tree, the communes ranked by overdue share with a link
    to each one's leadership page, and the ``most_overdue`` items overdue longest."""
    as_of = ctx.today()
    tree = tree_states(ctx.engine, unit_id, as_of, ctx.calendar, ctx.due_soon)
    members = member_totals(tree)
    listed, overdue, past = overdue_items(ctx, tree, as_of, most_overdue) if most_overdue else ([], 0, 0)
    if not most_overdue:
        overdue = sum(m.overdue for m in members)
    if links:
        tokens = leadership_links(ctx.engine, [m.unit_id for m in members if not m.own])
        for m in members:
            if m.unit_id in tokens:
                m.link = path_for(LEADERSHIP, tokens[m.unit_id])
                m.url = url_for(ctx.public_url, LEADERSHIP, tokens[m.unit_id])
        for item in listed:
            commune = tree.branch.get(item.brief.unit_id)
            if commune in tokens:  # the item on its commune's page (the commune's own item), else that page
                page = path_for(LEADERSHIP, tokens[commune])
                item.link = f"{page}/items/{item.brief.item_id}" if item.brief.unit_id == commune else page
    totals = Counter(s.shown for s in tree.states)
    levels = ctx.policy.levels
    return ProvinceView(unit_id, tree.names.get(unit_id, ""), as_of, {s.value: totals[s] for s in Shown}, members,
                        listed, overdue, past, last_escalation(ctx.policy),
                        max((lv.level for lv in levels), default=0))

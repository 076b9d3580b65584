"""Chasing ("đôn đốc"): reminders before a due date, escalation after it.

The rules are pure functions over dates (:func:`actions_for`, :func:`checkpoint_days`);
:func:`chase` reads every open due date of the items in a few queries, works out
what is due at ``as_of``, records each message in the chasing ledger *before*
sending it and marks it sent after, so that running again, a retry, or a crash in
the middle never sends anything twice and never loses one.

Policy (``config/escalation.yaml``): reminders at lead times in working days
before the (extended) due date; escalation levels with a delay after it, targets,
repeats with a cap; a level fires only while the due date is open and not
acknowledged; an extension moves the deadline and so starts afresh; leaders'
levels go into one daily digest per leader instead of a message per item;
nothing is sent in quiet hours or on days off.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from calendars.workdays import WorkCalendar
from dondoc.configuration import load_raw
from dondoc.db import unit_of_work
from dondoc.models import (
    Acknowledgement,
    Area,
    ChaseEntry,
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    Plan,
    StatusUpdate,
    utcnow,
)
from dondoc.settings import Settings, get_settings


class Level(BaseModel):
    level: int = Field(ge=1, le=9)
    after_working_days: int = Field(ge=0, le=250)
    targets: list[str]
    repeat_every_working_days: int = Field(default=5, ge=1, le=250)
    max_repeats: int = Field(default=0, ge=0, le=50)
    digest: bool = False


class QuietHours(BaseModel):
    start: time = time(17, 30)
    end: time = time(7, 30)

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class Policy(BaseModel):
    send_at: time = time(8, 0)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    reminder_days: list[int] = Field(default_factory=lambda: [10, 3, 1, 0])
    copy_cooperating: bool = True
    levels: list[Level] = Field(default_factory=list)
    digest_send_at: time = time(16, 0)
    nudge_day: int = Field(default=1, ge=1, le=28)
    standing_office: str = "Phòng Văn hóa - Xã hội"
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str = "http://127.0.0.1:8000"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_policy(settings: Settings | None = None) -> Policy:
    settings = settings or get_settings()
    raw = load_raw("escalation.yaml", settings.user_config_dir)
    return Policy(
        send_at=raw.get("send_at", "08:00"),
        quiet_hours=QuietHours(**(raw.get("quiet_hours") or {})),
        reminder_days=sorted(set((raw.get("reminders") or {}).get("working_days_before", [10, 3, 1, 0])), reverse=True),
        copy_cooperating=(raw.get("reminders") or {}).get("copy_cooperating", True),
        levels=[Level(**lv) for lv in (raw.get("escalation") or {}).get("levels", [])],
        digest_send_at=(raw.get("digest") or {}).get("send_at", "16:00"),
        nudge_day=(raw.get("nudge") or {}).get("day_of_month", 1),
        standing_office=(raw.get("nudge") or {}).get("standing_office", "Phòng Văn hóa - Xã hội"),
        timezone=settings.timezone,
        public_url=settings.public_url,
    )


# ------------------------------------------------------------------ pure rules


@dataclass(frozen=True)
class OpenDue:
    """One due date still open on the day considered."""

    occurrence_id: int
    item_id: int
    milestone_id: int
    plan: str
    number: str
    content: str
    area_code: str | None
    label: str | None
    nominal: date
    deadline: date  # extended if extended, else effective
    leads: tuple[str, ...]
    cooperating: tuple[str, ...]
    acknowledged: bool = False


@dataclass(frozen=True)
class Action:
    purpose: str  # reminder | escalation
    due: OpenDue
    level: int  # 0 for reminders
    stage: int  # reminder: working days before; escalation: repeat number
    recipient: str
    digest: bool
    days: int  # reminder: working days left; escalation: days overdue

    @property
    def key(self) -> str:
        d = self.due
        return (
            f"{self.purpose}:{d.plan}#{d.number}:m{d.milestone_id}:{d.deadline.isoformat()}"
            f":L{self.level}:s{self.stage}:{self.recipient}"
        )


def checkpoint_days(deadline: date, policy: Policy, calendar: WorkCalendar) -> list[date]:
    """The days on which something may fire for a due date: reminders, then escalations and repeats."""
    days = {calendar.add_working_days(deadline, -n) if n else deadline for n in policy.reminder_days}
    for level in policy.levels:
        for repeat in range(level.max_repeats + 1):
            days.add(calendar.add_working_days(deadline, level.after_working_days + repeat * level.repeat_every_working_days))
    return sorted(days)


def _targets(level: Level, due: OpenDue) -> list[str]:
    specs: list[str] = []
    for target in level.targets:
        if "{lead_office}" in target:
            specs.extend(target.replace("{lead_office}", office) for office in due.leads)
        elif "{area_code}" in target:
            if due.area_code:
                specs.append(target.replace("{area_code}", due.area_code))
        else:
            specs.append(target)
    return list(dict.fromkeys(specs))


def actions_for(due: OpenDue, day: date, policy: Policy, calendar: WorkCalendar) -> list[Action]:
    """What is due on ``day`` for one open due date: the latest reminder stage reached, and for
    each escalation level reached its latest repeat. Earlier stages missed are not sent again
    (one message per stage, never a flood after a pause)."""
    actions: list[Action] = []
    if day <= due.deadline:
        left = calendar.working_days_between(day, due.deadline)
        reached = [n for n in policy.reminder_days if left <= n]
        if reached:
            stage = min(reached)
            offices = list(due.leads)
            if policy.copy_cooperating:  # each cooperating office gets its own copy, with its own page link
                offices += [o for o in due.cooperating if o not in due.leads]
            for office in offices:
                actions.append(Action("reminder", due, 0, stage, f"office:{office}", False, left))
        return actions
    if due.acknowledged:
        return actions
    late = calendar.working_days_between(due.deadline, day)
    for level in policy.levels:
        if late < level.after_working_days:
            continue
        repeat = min((late - level.after_working_days) // level.repeat_every_working_days, level.max_repeats)
        for spec in _targets(level, due):
            actions.append(Action("escalation", due, level.level, repeat, spec, level.digest, (day - due.deadline).days))
    return actions


# ------------------------------------------------------------------ reading the database


def _item_filter(item_ids: list[int] | None):
    conditions = [Item.removed_at.is_(None), Milestone.active.is_(True)]
    if item_ids is not None:
        conditions.append(Item.id.in_(item_ids))
    return conditions


def open_dues(engine: Engine, day: date, item_ids: list[int] | None = None) -> list[OpenDue]:
    """Every due date not done on ``day`` (set-based: four queries)."""
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
                .where(StatusUpdate.status == "hoan_thanh", StatusUpdate.as_of <= day, *conditions)
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
        for day in checkpoint_days(due.deadline, policy, calendar):
            if start <= day <= end:
                result[due.item_id].add(datetime.combine(day, policy.send_at, tzinfo=policy.tz))
    return {item_id: sorted(times) for item_id, times in result.items()}


# ------------------------------------------------------------------ sending


@dataclass
class ChaseResult:
    sent: int = 0
    skipped: int = 0
    digested: int = 0
    deferred: int = 0
    deferred_until: datetime | None = None
    messages: list[str] = field(default_factory=list)


def next_send_time(moment: datetime, policy: Policy, calendar: WorkCalendar) -> datetime:
    """The first moment at or after ``moment`` outside quiet hours on a working day."""
    local = moment.astimezone(policy.tz)
    day = local.date()
    if calendar.is_working_day(day) and not policy.quiet_hours.contains(local.time()):
        return local
    if calendar.is_working_day(day) and local.time() < policy.quiet_hours.end and policy.quiet_hours.start > policy.quiet_hours.end:
        return datetime.combine(day, max(policy.send_at, policy.quiet_hours.end), tzinfo=policy.tz)
    day = calendar.add_working_days(day, 1)
    return datetime.combine(day, max(policy.send_at, policy.quiet_hours.end), tzinfo=policy.tz)


def plan_actions(engine: Engine, day: date, *, item_ids: list[int] | None, policy: Policy, calendar: WorkCalendar) -> list[Action]:
    """Everything due on ``day`` for the items (all items when None), set-based."""
    actions: list[Action] = []
    for due in open_dues(engine, day, item_ids):
        actions.extend(actions_for(due, day, policy, calendar))
    return actions


def ledger_states(conn, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(conn.execute(select(ChaseEntry.key, ChaseEntry.state).where(ChaseEntry.key.in_(chunk))).all())
    return found


def record_entries(engine: Engine, entries: list[dict]) -> None:
    """Insert ledger entries; entries another run inserted meanwhile are left as they are."""
    if not entries:
        return
    try:
        with unit_of_work(engine) as session:
            session.execute(ChaseEntry.__table__.insert(), entries)
    except IntegrityError:
        for entry in entries:
            try:
                with unit_of_work(engine) as session:
                    session.execute(ChaseEntry.__table__.insert(), [entry])
            except IntegrityError:
                continue


def mark_sent(engine: Engine, key: str) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(ChaseEntry).where(ChaseEntry.key == key).values(state="sent", sent_at=utcnow()))


def _item_ref(due: OpenDue, days_overdue: int | None = None, link: str | None = None):
    from notifications.messages import ItemRef

    return ItemRef(
        plan=due.plan,
        number=due.number,
        content=due.content,
        due=due.deadline,
        lead_offices=list(due.leads),
        cooperating_offices=list(due.cooperating),
        area=due.area_code,
        days_overdue=days_overdue,
        link=link,
    )


def _message(action: Action, policy: Policy, links):
    """The message of an action. Offices get their own status page; leaders the leadership page
    (``links``: a :class:`dondoc.links.MessageLinks`)."""
    from notifications import messages

    unit_id = links.unit_of(plan_code=action.due.plan)
    kind, _, name = action.recipient.partition(":")
    office_link = links.office(unit_id, name, action.due.item_id) if kind == "office" else None
    if action.purpose == "reminder":
        cooperating = name if kind == "office" and name not in action.due.leads else None
        return messages.reminder(_item_ref(action.due, link=office_link), days_left=action.days,
                                 ledger_key=action.key, public_url=policy.public_url, cooperating=cooperating)
    if kind == "office":  # the office head: report progress and the reason, nothing to acknowledge
        link, ack = office_link or links.leadership(unit_id, action.due.item_id), None
    else:
        link = links.leadership(unit_id, action.due.item_id)
        ack = links.leadership(unit_id, action.due.item_id, anchor="#xu-ly")
    return messages.escalation(
        _item_ref(action.due, action.days, link=link), level=action.level, days_overdue=action.days,
        office=", ".join(action.due.leads), ledger_key=action.key, public_url=policy.public_url, ack_link=ack,
    )


def open_dispatcher(engine: Engine, dispatcher):
    if dispatcher is not None:
        return dispatcher, False
    from notifications.delivery import Dispatcher

    return Dispatcher(engine), True


def delivered(engine: Engine, key: str) -> bool:
    from notifications.ledger import already_sent
    from dondoc.db import read_session

    with read_session(engine) as session:
        return already_sent(session, key)


def chase(
    engine: Engine,
    as_of: datetime,
    *,
    item_ids: list[int] | None = None,
    policy: Policy,
    calendar: WorkCalendar,
    dispatcher=None,
) -> ChaseResult:
    """Send what is due at ``as_of`` for the items (all when None). Idempotent."""
    local = as_of.astimezone(policy.tz)
    day = local.date()
    result = ChaseResult()
    actions = plan_actions(engine, day, item_ids=item_ids, policy=policy, calendar=calendar)
    with engine.connect() as conn:
        existing = ledger_states(conn, [a.key for a in actions])
    new = [a for a in actions if a.key not in existing]
    quiet = not calendar.is_working_day(day) or policy.quiet_hours.contains(local.time())
    if quiet:
        result.deferred = len([a for a in new if not a.digest])
        result.deferred_until = next_send_time(as_of, policy, calendar) if result.deferred else None
        new = [a for a in new if a.digest]  # digest entries are only recorded; the digest has its own time
    record_entries(
        engine,
        [
            dict(
                key=a.key, purpose=a.purpose, item_id=a.due.item_id, occurrence_id=a.due.occurrence_id,
                due=a.due.deadline, level=a.level, stage=a.stage, recipient=a.recipient, channel="auto",
                state="digest" if a.digest else "pending", as_of=day, created_at=utcnow(),
                payload={"days": a.days, "leads": list(a.due.leads)},
            )
            for a in new
        ],
    )
    result.digested = sum(1 for a in new if a.digest)
    if quiet:
        result.skipped = len(actions) - len(new) - result.deferred
        return result
    with engine.connect() as conn:
        states = ledger_states(conn, [a.key for a in actions if not a.digest])
    to_send = [a for a in actions if not a.digest and states.get(a.key) == "pending"]
    result.skipped = len(actions) - len(to_send) - result.digested
    if not to_send:
        return result
    from dondoc.links import MessageLinks

    links = MessageLinks(engine, policy.public_url)
    sender, owned = open_dispatcher(engine, dispatcher)
    try:
        for action in to_send:
            if delivered(engine, action.key):  # sent before a crash, not yet marked
                mark_sent(engine, action.key)
                result.skipped += 1
                continue
            sender.send(_message(action, policy, links), [action.recipient])
            mark_sent(engine, action.key)
            result.sent += 1
            result.messages.append(action.key)
    finally:
        if owned:
            sender.close()
    return result


def send_digest(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar | None = None, dispatcher=None) -> int:
    """The daily leadership digest (see :mod:`dondoc.periodic`)."""
    from dondoc.periodic import send_digest as run

    return run(engine, as_of, policy=policy, calendar=calendar, dispatcher=dispatcher)


def acknowledge(engine: Engine, ref: str, *, by: str, on: date, note: str | None = None,
                plan: str | None = None, unit: str | None = None) -> list[date]:
    """Leadership acknowledges an item's overdue due dates (see :func:`dondoc.updates.acknowledge`)."""
    from dondoc.updates import acknowledge as run

    return run(engine, ref, by=by, on=on, note=note, plan=plan, unit=unit)


def send_progress_requests(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar, dispatcher=None) -> int:
    """Progress requests before each report deadline (see :mod:`dondoc.periodic`)."""
    from dondoc.periodic import send_progress_requests as run

    return run(engine, as_of, policy=policy, calendar=calendar, dispatcher=dispatcher)


def nudge_awaiting(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar, dispatcher=None) -> int:
    """The monthly nudge about items awaiting a trigger (see :mod:`dondoc.periodic`)."""
    from dondoc.periodic import nudge_awaiting as run

    return run(engine, as_of, policy=policy, calendar=calendar, dispatcher=dispatcher)


__all__ = [
    "Action",
    "ChaseResult",
    "Level",
    "OpenDue",
    "Policy",
    "acknowledge",
    "actions_for",
    "chase",
    "checkpoint_days",
    "checkpoints_by_item",
    "load_policy",
    "next_send_time",
    "open_dues",
    "plan_actions",
    "send_digest",
    "send_progress_requests",
    "nudge_awaiting",
    "ledger_states",
    "record_entries",
    "mark_sent",
    "delivered",
    "open_dispatcher",
]

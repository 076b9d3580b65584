"""Periodic messages: the daily leadership digest, progress requests before each report
deadline, the monthly nudge about items awaiting a trigger.

Each is set-based (the ledger, or the status run) and sends one message per leader,
office or unit, recorded once in the chasing ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select, update

from calendars.workdays import WorkCalendar
from dondoc.chasing import Policy, open_dispatcher, ledger_states, mark_sent, record_entries, delivered
from dondoc.configuration import load_raw
from dondoc.db import unit_of_work
from dondoc.models import Area, ChaseEntry, Item, Occurrence, Plan, utcnow
from dondoc.settings import get_settings
from dondoc.status import Shown
from dondoc.statusrun import StatusRow, run_status

OPEN = {Shown.OVERDUE, Shown.DUE_SOON, Shown.ON_TRACK, Shown.CONTINUOUS}


@dataclass(frozen=True)
class ReportDeadline:
    period: str  # "2026-Q1"
    label: str  # "Quý I năm 2026"
    send_by: date  # effective (working-day) deadline for offices
    ask_on: date  # the day offices are asked


def report_deadlines(year: int, calendar: WorkCalendar, raw: dict | None = None) -> list[ReportDeadline]:
    """The office -> standing office send deadlines of ``year`` (config/reporting.yaml)."""
    raw = raw if raw is not None else load_raw("reporting.yaml", get_settings().user_config_dir)
    before = int(raw.get("progress_request_working_days_before", 5))
    periods = raw.get("periods", {})
    result = []
    for code, when in (raw.get("send_deadlines", {}).get("office_to_standing_office") or {}).items():
        month, day = (int(x) for x in str(when).split("-"))
        send_by = calendar.effective_due(date(year, month, day))
        name = periods.get(code, {}).get("label", code)
        label = f"{name} {year}" if code == "Y" else f"{name} năm {year}"
        result.append(ReportDeadline(f"{year}-{code}", label, send_by, calendar.add_working_days(send_by, -before)))
    return sorted(result, key=lambda r: r.send_by)


def _ref(row: StatusRow):
    from notifications.messages import ItemRef

    return ItemRef(
        plan=row.plan,
        number=row.item.rsplit("#", 1)[-1],
        content=row.content,
        due=row.extended_due or row.effective_due,
        lead_offices=list(row.lead),
        area=row.area_code,
        days_overdue=row.days_overdue,
        status=row.shown.label,
    )


@dataclass
class Outgoing:
    """One message of a :func:`send_once` batch."""

    recipients: list[str]
    payload: dict  # kept in the ledger entry
    build: Callable[[str], object]  # the message, from its ledger key
    channels: tuple[str, ...] | None = None  # only these channels (None: each person's own order)
    channel: str = "auto"  # as the ledger records it


def send_once(engine: Engine, day: date, purpose: str, batch: dict[str, Outgoing], dispatcher=None) -> int:
    """Send each message of ``batch`` (ledger key -> message) at most once: record it in the ledger,
    send it unless a delivery is already logged (a run stopped before marking it), then mark it
    sent. Returns how many were sent."""
    if not batch:
        return 0
    with engine.connect() as conn:
        existing = ledger_states(conn, list(batch))
    todo = [key for key in batch if existing.get(key) != "sent"]
    record_entries(engine, [
        dict(key=key, purpose=purpose, recipient=", ".join(batch[key].recipients)[:300], channel=batch[key].channel,
             state="pending", as_of=day, level=0, stage=0, payload=batch[key].payload, created_at=utcnow())
        for key in todo if key not in existing
    ])
    sent = 0
    sender, owned = (None, False)
    try:
        for key in todo:
            out = batch[key]
            if not delivered(engine, key):
                if sender is None:
                    sender, owned = open_dispatcher(engine, dispatcher)
                sender.send(out.build(key), out.recipients, channels=out.channels)
                sent += 1
            mark_sent(engine, key)
    finally:
        if owned and sender is not None:
            sender.close()
    return sent


def send_progress_requests(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar, dispatcher=None) -> int:
    """From the ask day until the send deadline: one request per office listing its open and
    continuous items, once per period."""
    from notifications import messages

    day = as_of.astimezone(policy.tz).date()
    if not calendar.is_working_day(day) or policy.quiet_hours.contains(as_of.astimezone(policy.tz).time()):
        return 0
    current = [d for d in report_deadlines(day.year, calendar) if d.ask_on <= day <= d.send_by]
    if not current:
        return 0
    deadline = current[0]
    report = run_status(engine, day, calendar)
    by_office: dict[tuple[str, str], list[StatusRow]] = defaultdict(list)
    for row in report.rows:
        if row.shown in OPEN:
            for office in row.lead:
                by_office[(row.unit, office)].append(row)

    from dondoc.links import MessageLinks

    links = MessageLinks(engine, policy.public_url)

    def request(unit: str, office: str):
        def build(key: str):
            unit_id = links.unit_of(unit_name=unit)
            items = [_ref(r) for r in by_office[(unit, office)]]
            for item, row in zip(items, by_office[(unit, office)]):
                item.link = links.office(unit_id, office, row.item_id)
            return messages.progress_request(
                items, office=office, period=deadline.label, report_by=deadline.send_by, ledger_key=key,
                public_url=policy.public_url, link=links.office(unit_id, office),
            )

        return build

    batch = {
        f"progress:{unit}:{office}:{deadline.period}": Outgoing([f"office:{office}"], {"period": deadline.period},
                                                               request(unit, office))
        for unit, office in by_office
    }
    return send_once(engine, day, "progress", batch, dispatcher)


def nudge_awaiting(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar, dispatcher=None) -> int:
    """Once a month (first working day on or after ``policy.nudge_day``): the standing office of each
    unit gets the list of items still awaiting their trigger."""
    from notifications import messages

    local = as_of.astimezone(policy.tz)
    day = local.date()
    first = calendar.effective_due(date(day.year, day.month, policy.nudge_day))
    if day < first or first.month != day.month or not calendar.is_working_day(day):
        return 0
    if policy.quiet_hours.contains(local.time()):
        return 0
    report = run_status(engine, day, calendar)
    by_unit: dict[str, list[StatusRow]] = defaultdict(list)
    for row in report.awaiting:
        by_unit[row.unit].append(row)
    recipient = f"office:{policy.standing_office}"
    from dondoc.links import MessageLinks

    links = MessageLinks(engine, policy.public_url)

    def nudge(unit: str):
        def build(key: str):
            page = links.standing(links.unit_of(unit_name=unit))
            items = [_ref(r) for r in by_unit[unit]]
            for item, row in zip(items, by_unit[unit]):
                item.status = f"chờ: {row.event or row.deadline_text}"
                item.link = page
            return messages.nudge(items, unit=unit, office=policy.standing_office, month=day, ledger_key=key,
                                  public_url=policy.public_url, link=page)

        return build

    batch = {f"nudge:{unit}:{day:%Y-%m}": Outgoing([recipient], {"items": len(rows)}, nudge(unit))
             for unit, rows in by_unit.items()}
    return send_once(engine, day, "nudge", batch, dispatcher)


def leader_title(spec: str) -> str:
    """How a message addresses a recipient spec nobody is configured for."""
    kind, _, value = spec.partition(":")
    if kind == "area":
        return f"Phó Chủ tịch UBND phụ trách lĩnh vực {value}"
    if kind == "tag" and value == "chu-tich":
        return "Chủ tịch UBND"
    if kind == "office":
        return value
    return spec


def send_digest(engine: Engine, as_of: datetime, *, policy: Policy, calendar: WorkCalendar | None = None, dispatcher=None) -> int:
    """One message per leader listing the items escalated to them since their last digest."""
    from notifications import messages

    local = as_of.astimezone(policy.tz)
    day = local.date()
    if calendar is not None and not calendar.is_working_day(day):
        return 0
    with engine.connect() as conn:
        rows = conn.execute(
            select(ChaseEntry.id, ChaseEntry.recipient, ChaseEntry.level, ChaseEntry.payload, ChaseEntry.occurrence_id,
                   Item.id.label("item_id"), Plan.unit_id, Item.number, Item.content, Plan.code.label("plan_code"), Occurrence.effective_due,
                   Occurrence.extended_due, Area.code.label("area_code"))
            .join(Item, Item.id == ChaseEntry.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .join(Occurrence, Occurrence.id == ChaseEntry.occurrence_id)
            .outerjoin(Area, Area.id == Item.area_id)
            .where(ChaseEntry.state == "digest", ChaseEntry.as_of <= day)
            .order_by(ChaseEntry.recipient, ChaseEntry.id)
        ).all()
    by_leader: dict[str, list] = defaultdict(list)
    for r in rows:
        by_leader[r.recipient].append(r)
    sent = 0
    sender, owned = (None, False)
    from dondoc.links import MessageLinks

    links = MessageLinks(engine, policy.public_url) if by_leader else None
    try:
        for leader, entries in by_leader.items():
            key = f"digest:{leader}:{day.isoformat()}"
            record_entries(engine, [dict(key=key, purpose="digest", recipient=leader, channel="auto", state="pending",
                                  as_of=day, level=0, stage=0, payload={"entries": len(entries)}, created_at=utcnow())])
            with engine.connect() as conn:
                if ledger_states(conn, [key]).get(key) != "pending":
                    continue
            seen: dict[int, object] = {}
            for r in entries:
                seen.setdefault(r.occurrence_id, r)
            from notifications.messages import ItemRef

            items = [
                ItemRef(plan=r.plan_code, number=r.number, content=r.content, due=r.extended_due or r.effective_due,
                        lead_offices=list((r.payload or {}).get("leads", [])), area=r.area_code,
                        days_overdue=(day - (r.extended_due or r.effective_due)).days,
                        link=links.leadership(r.unit_id, r.item_id))
                for r in seen.values()
            ]
            units = {r.unit_id for r in seen.values()}
            overview = links.leadership(units.pop()) if len(units) == 1 else None
            if sender is None:
                sender, owned = open_dispatcher(engine, dispatcher)
            if not delivered(engine, key):
                names = ", ".join(p.name for p in sender.people.resolve(leader)) or leader_title(leader)
                sender.send(messages.digest(items, leader=names, as_of=day, ledger_key=key, public_url=policy.public_url,
                                            link=overview or policy.public_url), [leader])
            with unit_of_work(engine) as session:
                session.execute(update(ChaseEntry).where(ChaseEntry.id.in_([r.id for r in entries])).values(state="digested", digest_key=key))
                session.execute(update(ChaseEntry).where(ChaseEntry.key == key).values(state="sent", sent_at=utcnow()))
            sent += 1
    finally:
        if owned and sender is not None:
            sender.close()
    return sent

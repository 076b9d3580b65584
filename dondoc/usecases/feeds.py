"""Calendar feeds: what an office (items it leads or cooperates on) or a unit's leadership
(every item of the unit) sees in its calendar app.

Set-based: the events of a feed come from a fixed number of queries, whatever
the number of items (the due dates with their items, the latest update of each
due date, the continuous milestones, the latest progress note of each item, the
offices of the items, the stored event state). Dated milestones give one event
per due date; an event milestone appears once triggered (it then has a due
date); a continuous milestone appears at the reporting checkpoints of
``config/reporting.yaml`` (the days offices send their periodic reports), not
every day.

Each event's SEQUENCE is tracked by :mod:`dondoc.storage.feedstate`. Feeds are
cheap under load: :class:`dondoc.usecases.feedcache.FeedCache` keeps the built
bytes per link, day and data version.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone

from sqlalchemy import Engine, and_, select

from calendars.ical import FeedEvent, FeedInfo, alarm_offsets, build_calendar, event_uid, fingerprint
from calendars.workdays import WorkCalendar
from dondoc.configuration import ReportingConfig
from dondoc.domain.periods import progress_deadlines
from dondoc.domain.status import Shown, Stored, shown_status
from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.feedstate import aware, sync_state
from dondoc.storage.lookups import LookupFailed
from dondoc.storage.models import Item, ItemOffice, Milestone, Occurrence, Office, Plan, StatusUpdate, Unit
from dondoc.storage.statusrun import latest_updates
from dondoc.usecases.context import Context

DONE = (Shown.DONE_ON_TIME, Shown.DONE_LATE)
# RFC 7986 COLOR takes CSS colour names; "amber" is not one.
CSS_COLOUR = {"amber": "gold"}


class FeedNotFound(LookupFailed):
    """No feed for that scope (unknown office or unit)."""


@dataclass(frozen=True)
class Scope:
    """Whose feed: one office of a unit, or the unit's leadership (``office_id`` None)."""

    unit_id: int
    office_id: int | None = None

    @property
    def leadership(self) -> bool:
        return self.office_id is None


@dataclass(frozen=True)
class FeedOptions:
    """What a feed needs besides the database; the caller decides the day."""

    as_of: date
    calendar: WorkCalendar
    public_url: str
    refresh_minutes: int = 60
    timezone: str = "Asia/Ho_Chi_Minh"
    due_soon_working_days: int = 5
    reminder_days: tuple[int, ...] = (10, 3, 1, 0)
    copy_cooperating: bool = True
    alarm_at: time = time(8, 0)  # local time of the reminders
    reporting: ReportingConfig = field(default_factory=ReportingConfig)  # when continuous items report progress


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime
    events: int
    name: str
    gzipped: bytes = b""  # the body compressed once, for clients that accept gzip


def options_from(ctx: Context, as_of: date) -> FeedOptions:
    """Options from the settings, the reporting configuration and the chasing policy."""
    policy, settings = ctx.policy, ctx.settings
    return FeedOptions(
        as_of=as_of, calendar=ctx.calendar, public_url=settings.public_url,
        refresh_minutes=settings.feed_refresh_minutes, timezone=settings.timezone,
        due_soon_working_days=settings.due_soon_working_days, reminder_days=tuple(policy.reminder_days),
        copy_cooperating=policy.copy_cooperating, alarm_at=policy.send_at, reporting=ctx.reporting,
    )


# ------------------------------------------------------------------ reading


def _scope_filters(scope: Scope) -> list:
    filters = [Item.removed_at.is_(None)]
    if scope.leadership:
        filters.append(Plan.unit_id == scope.unit_id)
    else:
        filters.append(Item.id.in_(select(ItemOffice.item_id).where(ItemOffice.office_id == scope.office_id)))
    return filters


def _checkpoints(plan_start: int, plan_end: int, start: date | None, by_year: Callable[[int], list]):
    """(period, label, send-by day) of every reporting checkpoint of the plan years from ``start``."""
    for year in range(plan_start, plan_end + 1):
        for deadline in by_year(year):
            if start is None or deadline.send_by >= start:
                yield deadline.period, deadline.label, deadline.send_by


def read_events(engine: Engine, scope: Scope, options: FeedOptions) -> list[tuple[int, FeedEvent]]:
    """(item id, event) for every event of the feed, before its stored state is known
    (SEQUENCE 0, times unset) and without links."""
    as_of, calendar = options.as_of, options.calendar
    filters = _scope_filters(scope)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    with engine.connect() as conn:
        dated = conn.execute(
            select(Occurrence.id, Occurrence.milestone_id, Occurrence.item_id, Occurrence.nominal_due,
                   Occurrence.effective_due, Occurrence.extended_due, Milestone.kind, Milestone.label,
                   Milestone.text.label("milestone_text"), Item.number, Item.content, Item.product.label("item_product"),
                   Item.position, Plan.code.label("plan_code"), Plan.id.label("plan_id"))
            .join(Milestone, and_(Milestone.id == Occurrence.milestone_id, Milestone.active.is_(True)))
            .join(Item, Item.id == Occurrence.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(*filters)
            .order_by(Plan.id, Item.position, Milestone.position, Occurrence.nominal_due)
        ).all()
        continuous = conn.execute(
            select(Milestone.id, Milestone.item_id, Milestone.label, Milestone.text.label("milestone_text"),
                   Milestone.start_date, Item.number, Item.content, Item.position, Plan.code.label("plan_code"),
                   Plan.id.label("plan_id"), Plan.period_start, Plan.period_end)
            .join(Item, Item.id == Milestone.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(Milestone.active.is_(True), Milestone.kind == "continuous", *filters)
        ).all()
        by_occurrence = {r.key: r for r in conn.execute(latest_updates(as_of, StatusUpdate.occurrence_id, filters))}
        noted = {r.key: r for r in conn.execute(
            latest_updates(as_of, StatusUpdate.item_id, [*filters, StatusUpdate.note.is_not(None)]))}
        offices: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "coop": []})
        mine: dict[int, set[str]] = defaultdict(set)
        for item_id, role, office_id, name in conn.execute(
            select(ItemOffice.item_id, ItemOffice.role, Office.id, Office.name)
            .join(Office, Office.id == ItemOffice.office_id)
            .join(Item, Item.id == ItemOffice.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(*filters)
            .order_by(ItemOffice.item_id, Office.id)
        ):
            offices[item_id][role].append(name)
            if office_id == scope.office_id:
                mine[item_id].add(role)

    def alarms(item_id: int, deadline: date, lead_times) -> tuple[int, ...]:
        roles = mine.get(item_id, set())
        if scope.leadership or not ("lead" in roles or (options.copy_cooperating and "coop" in roles)):
            return ()
        return alarm_offsets(deadline, lead_times, calendar)

    events: list[tuple[tuple, int, FeedEvent]] = []
    for o in dated:
        update_row = by_occurrence.get(o.id)
        done_on = update_row.as_of if update_row is not None and update_row.status == Stored.DONE.value else None
        deadline = o.extended_due or o.effective_due
        shown = shown_status(o.kind, deadline, done_on, as_of, calendar, options.due_soon_working_days)
        done, overdue = shown in DONE, shown is Shown.OVERDUE
        note = update_row.note if update_row is not None else None
        status = shown.label  # no day count: it would change the event every day
        if update_row is not None and update_row.status == Stored.BLOCKED.value and not done:
            status = f"{status}; {Stored.BLOCKED.label}"
        event = FeedEvent(
            uid=event_uid(o.item_id, o.milestone_id, o.nominal_due), day=deadline, item=o.number, content=o.content,
            status=status, sequence=0, modified=epoch, plan=o.plan_code,
            milestone=f"{o.label}: {o.milestone_text}" if o.label else o.milestone_text,
            lead=tuple(offices[o.item_id]["lead"]), cooperating=tuple(offices[o.item_id]["coop"]),
            nominal=o.nominal_due, original=o.effective_due if o.extended_due else None, done=done, overdue=overdue,
            note=note, note_on=update_row.as_of if note else None,
            product=(update_row.product if update_row is not None and update_row.product else None) if done else None,
            colour=CSS_COLOUR.get(shown.colour, shown.colour),
            alarm_days=() if done else alarms(o.item_id, deadline, options.reminder_days),
        )
        events.append(((o.plan_id, o.position, deadline), o.item_id, event))

    reporting = options.reporting
    ask_before = (reporting.progress_request_working_days_before, 0)
    years: dict[int, list] = {}

    def by_year(year: int) -> list:
        if year not in years:
            years[year] = progress_deadlines(year, calendar, reporting)
        return years[year]

    for m in continuous:
        progress = noted.get(m.item_id)
        for period, label, send_by in _checkpoints(m.period_start, m.period_end, m.start_date, by_year):
            event = FeedEvent(
                uid=event_uid(m.item_id, m.id, period), day=send_by, item=m.number, content=m.content,
                status=Shown.CONTINUOUS.label, sequence=0, modified=epoch, plan=m.plan_code,
                milestone=f"{m.label}: {m.milestone_text}" if m.label else m.milestone_text,
                checkpoint=label, lead=tuple(offices[m.item_id]["lead"]),
                cooperating=tuple(offices[m.item_id]["coop"]),
                note=progress.note if progress else None, note_on=progress.as_of if progress else None,
                colour=Shown.CONTINUOUS.colour, alarm_days=alarms(m.item_id, send_by, ask_before),
            )
            events.append(((m.plan_id, m.position, send_by), m.item_id, event))
    events.sort(key=lambda e: (e[0], e[2].uid))
    return [(item_id, event) for _, item_id, event in events]


# ------------------------------------------------------------------ building


def feed_info(engine: Engine, scope: Scope, options: FeedOptions) -> FeedInfo:
    with engine.connect() as conn:
        unit = conn.execute(select(Unit.name).where(Unit.id == scope.unit_id)).scalar()
        if unit is None:
            raise FeedNotFound(f"unknown unit {scope.unit_id}")
        if scope.leadership:
            name = f"Đôn Đốc – Lãnh đạo {unit}"
            about = f"Hạn các nhiệm vụ cải cách hành chính của {unit}."
        else:
            office = conn.execute(select(Office.name).where(Office.id == scope.office_id,
                                                            Office.unit_id == scope.unit_id)).scalar()
            if office is None:
                raise FeedNotFound(f"unknown office {scope.office_id}")
            name = f"Đôn Đốc – {office} ({unit})"
            about = f"Hạn các nhiệm vụ {office} chủ trì hoặc phối hợp, kèm đường dẫn báo cáo kết quả."
    return FeedInfo(name=name, description=about, timezone=options.timezone, refresh_minutes=options.refresh_minutes,
                    alarm_at=options.alarm_at)


def _with_links(engine: Engine, scope: Scope, options: FeedOptions, events: list[tuple[int, FeedEvent]]):
    """Each event gets the page where its readers act: the office's report page, or the leadership page."""
    kind, office_id = (links.LEADERSHIP, None) if scope.leadership else (links.OFFICE, scope.office_id)
    with unit_of_work(engine) as session:
        book = links.LinkBook(session, options.public_url)
        return [(item_id, replace(e, link=book.page(kind, scope.unit_id, office_id, f"/items/{item_id}")))
                for item_id, e in events]


def build_feed(engine: Engine, scope: Scope, options: FeedOptions, now: datetime | None = None) -> Feed:
    """The feed's bytes, with SEQUENCE and times from the stored state (updated first)."""
    info = feed_info(engine, scope, options)
    events = read_events(engine, scope, options)
    wanted = {e.uid: (item_id, fingerprint(e)) for item_id, e in events}
    stored = sync_state(engine, wanted, now)
    events = _with_links(engine, scope, options, events)
    final = []
    for _, e in events:
        row = stored[e.uid]
        final.append(replace(e, sequence=row.sequence, created=aware(row.created_at), modified=aware(row.modified_at)))
    body = build_calendar(final, info)
    last = max((e.modified for e in final), default=datetime(2020, 1, 1, tzinfo=timezone.utc))
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Feed(body=body, etag=etag, last_modified=last.replace(microsecond=0), events=len(final), name=info.name,
                gzipped=gzip.compress(body, compresslevel=6, mtime=0))




def feed_scope(ctx: Context, office: str | None, unit: str | None, leadership: bool) -> tuple[Scope, str]:
    """Whose feed a person asked for (an office by name, or a unit's leadership), and how to name it."""
    from dondoc.storage.db import read_session
    from dondoc.storage.lookups import find_one_office, named_or_only_unit

    with read_session(ctx.engine) as session:
        if leadership:
            if office:
                raise LookupFailed("Lịch lãnh đạo gồm mọi mục của đơn vị: bỏ tên cơ quan, chỉ dùng --unit "
                                   "(office not allowed).")
            unit_row = named_or_only_unit(session, unit)
            return Scope(unit_row.id), f"lãnh đạo {unit_row.name}"
        if not office:
            raise LookupFailed("Cần tên cơ quan, hoặc --leadership cho lịch của lãnh đạo (office required).")
        found = find_one_office(session, office, unit)
        return Scope(found.unit_id, found.id), found.name


def feed_url(ctx: Context, scope: Scope) -> str:
    """The link calendar apps subscribe to for ``scope``'s feed."""
    with unit_of_work(ctx.engine) as session:
        book = links.LinkBook(session, ctx.public_url)
        return book.leadership_feed(scope.unit_id) if scope.leadership else book.office_feed(scope.office_id)

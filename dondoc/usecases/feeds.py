"""Calendar feeds: what an office (items it leads or cooperates on) or a unit's leadership
(every item of the unit) sees in its calendar app.

Set-based: the events of a feed come from a fixed number of queries, whatever
the number of items (the due dates with their items, the latest update of each
due date, the continuous milestones, the latest progress note of each item, the
offices of the items, the stored event state). Dated milestones give one event
per due date; an event milestone appears once triggered (it then has a due
date). Continuous milestones appear at the reporting checkpoints of
``config/reporting.yaml`` (the days offices send their periodic reports): one
event per checkpoint per feed, listing the feed's continuous items ("Báo cáo
định kỳ Quý I năm 2026 – 12 nhiệm vụ thường xuyên"), not one per item; a feed
may leave them out (``FeedOptions.continuous``).

Alarms follow the chasing policy on both feeds: the reminder lead times (working
days) before a due date, and the progress request before a checkpoint. People
read item numbers ("Mục 43") and plan titles, never plan codes.

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

from calendars.ical import (
    FeedEvent,
    FeedInfo,
    Listed,
    alarm_leads,
    build_calendar,
    event_uid,
    fingerprint,
    report_uid,
)
from calendars.workdays import WorkCalendar
from dondoc.clock import aware
from dondoc.configuration import ReportingConfig
from dondoc.domain.chasing import last_escalation
from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.periods import progress_deadlines
from dondoc.domain.status import Shown, Stored, shown_status
from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.feedstate import sync_state
from dondoc.storage.lookups import LookupFailed
from dondoc.storage.models import (
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    Plan,
    StatusUpdate,
    Unit,
)
from dondoc.storage.statusrun import latest_updates
from dondoc.usecases.context import Context
from dondoc.usecases.province import has_units_under
from dondoc.usecases.province_feed import province_events

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
    continuous: bool = True  # False: continuous items left out (only dated milestones)
    ladder_last_step: int = 0  # working days after a deadline of the chasing ladder's last step (a province's feed)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime
    events: int
    name: str
    gzipped: bytes = b""  # the body compressed once, for clients that accept gzip


def options_from(ctx: Context, as_of: date, continuous: bool = True) -> FeedOptions:
    """Options from the settings, the reporting configuration and the chasing policy."""
    policy, settings = ctx.policy, ctx.settings
    return FeedOptions(
        as_of=as_of, calendar=ctx.calendar, public_url=settings.public_url,
        refresh_minutes=settings.feed_refresh_minutes, timezone=settings.timezone,
        due_soon_working_days=settings.due_soon_working_days, reminder_days=tuple(policy.reminder_days),
        copy_cooperating=policy.copy_cooperating, alarm_at=policy.send_at, reporting=ctx.reporting,
        continuous=continuous, ladder_last_step=last_escalation(policy),
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


def _number_key(number: str) -> tuple:
    head = number.split(".", 1)[0]
    return (int(head), number) if head.isdigit() else (10**9, number)


def read_events(engine: Engine, scope: Scope, options: FeedOptions) -> list[tuple[int | None, FeedEvent]]:
    """(item id, event) for every event of the feed, before its stored state is known
    (SEQUENCE 0, times unset) and without links, earliest first. A reporting checkpoint
    lists several items: its item id is ``None``."""
    as_of, calendar = options.as_of, options.calendar
    filters = _scope_filters(scope)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    with engine.connect() as conn:
        dated = conn.execute(
            select(Occurrence.id, Occurrence.milestone_id, Occurrence.item_id, Occurrence.nominal_due,
                   Occurrence.effective_due, Occurrence.extended_due, Milestone.kind, Milestone.label,
                   Milestone.text.label("milestone_text"), Item.number, Item.content, Item.product.label("item_product"),
                   Item.position, Plan.title.label("plan_title"), Plan.id.label("plan_id"))
            .join(Milestone, and_(Milestone.id == Occurrence.milestone_id, Milestone.active.is_(True)))
            .join(Item, Item.id == Occurrence.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(*filters)
            .order_by(Plan.id, Item.position, Milestone.position, Occurrence.nominal_due)
        ).all()
        continuous = conn.execute(
            select(Milestone.id, Milestone.item_id, Milestone.start_date, Item.number, Item.content, Item.position,
                   Plan.title.label("plan_title"), Plan.id.label("plan_id"), Plan.period_start, Plan.period_end)
            .join(Item, Item.id == Milestone.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(Milestone.active.is_(True), Milestone.kind == "continuous", *filters)
            .order_by(Plan.id, Item.position, Milestone.position)
        ).all() if options.continuous else []
        by_occurrence = {r.key: r for r in conn.execute(latest_updates(as_of, StatusUpdate.occurrence_id, filters))}
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

    # Items are "Mục 43"; with several plans in view, the plan's short title tells them apart.
    several = len({r.plan_id for r in dated} | {r.plan_id for r in continuous}) > 1

    def label(number: str, title: str) -> str:
        return item_label(number, short_plan_title(title) if several else None)

    def reminded(item_ids) -> bool:
        """Whether the feed's reader is reminded about these items: the leadership always (as the
        office is), an office about those it leads and, when copies go to them, those it cooperates on."""
        if scope.leadership:
            return True
        roles = set().union(*(mine.get(i, set()) for i in item_ids))
        return "lead" in roles or (options.copy_cooperating and "coop" in roles)

    events: list[tuple[tuple, int | None, FeedEvent]] = []
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
            status=status, sequence=0, modified=epoch, plan=o.plan_title, label=label(o.number, o.plan_title),
            milestone=f"{o.label}: {o.milestone_text}" if o.label else o.milestone_text,
            lead=tuple(offices[o.item_id]["lead"]), cooperating=tuple(offices[o.item_id]["coop"]),
            nominal=o.nominal_due, original=o.effective_due if o.extended_due else None, done=done, overdue=overdue,
            note=note, note_on=update_row.as_of if note else None,
            product=(update_row.product if update_row is not None and update_row.product else None) if done else None,
            colour=CSS_COLOUR.get(shown.colour, shown.colour),
            alarms=alarm_leads(deadline, options.reminder_days, calendar)
            if not done and reminded([o.item_id]) else (),
        )
        events.append(((deadline, o.plan_id, o.position), o.item_id, event))
    events.extend(_checkpoint_events(scope, options, continuous, offices, mine, label, reminded, epoch))
    events.sort(key=lambda e: (e[0], e[2].uid))
    return [(item_id, event) for _, item_id, event in events]


def _checkpoint_events(scope, options, continuous, offices, mine, label, reminded, epoch):
    """One event per reporting checkpoint, listing the continuous items that report at it."""
    calendar, reporting = options.calendar, options.reporting
    years: dict[int, list] = {}

    def by_year(year: int) -> list:
        if year not in years:
            years[year] = progress_deadlines(year, calendar, reporting)
        return years[year]

    checkpoints: dict[str, tuple[str, date]] = {}
    listed: dict[str, list[tuple[tuple, int, Listed]]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()  # (period, item): an item with two continuous milestones is listed once
    for m in continuous:
        if scope.leadership:
            leads = offices[m.item_id]["lead"]
            names = "; ".join(leads) if len(leads) <= 2 else f"{leads[0]} và {len(leads) - 1} cơ quan khác"
            note = f"chủ trì: {names}" if leads else ""
        else:
            note = "phối hợp" if "lead" not in mine.get(m.item_id, set()) else ""
        entry = Listed(label(m.number, m.plan_title), m.content, note)
        for period, period_label, send_by in _checkpoints(m.period_start, m.period_end, m.start_date, by_year):
            checkpoints[period] = (period_label, send_by)
            if (period, m.item_id) not in seen:
                seen.add((period, m.item_id))
                listed[period].append(((m.plan_id, m.position, *_number_key(m.number)), m.item_id, entry))
    owner = f"u{scope.unit_id}" if scope.leadership else f"o{scope.office_id}"
    ask_before = (reporting.progress_request_working_days_before, 0)
    for period, (period_label, send_by) in checkpoints.items():
        entries = sorted(listed[period], key=lambda e: e[0])
        event = FeedEvent(
            uid=report_uid(owner, period), day=send_by, item="", content="", status=Shown.CONTINUOUS.label,
            sequence=0, modified=epoch, checkpoint=period_label, colour=Shown.CONTINUOUS.colour,
            listed=tuple(e for _, _, e in entries),
            alarms=alarm_leads(send_by, ask_before, calendar) if reminded([i for _, i, _ in entries]) else (),
        )
        yield (send_by, 0, -1), None, event


# ------------------------------------------------------------------ building


def feed_info(engine: Engine, scope: Scope, options: FeedOptions, *, parent: bool = False) -> FeedInfo:
    """The feed's name and description; ``parent``: a leadership feed of a unit with units under it."""
    with engine.connect() as conn:
        unit = conn.execute(select(Unit.name).where(Unit.id == scope.unit_id)).scalar()
        if unit is None:
            raise FeedNotFound(f"unknown unit {scope.unit_id}")
        if parent:
            name = f"Đôn Đốc – Lãnh đạo {unit}"
            about = (f"Hạn các nhiệm vụ cải cách hành chính của các đơn vị trực thuộc {unit}: mỗi ngày hạn một "
                     "sự kiện, và các nhiệm vụ đã qua mọi bước nhắc của đơn vị mà chưa hoàn thành.")
        elif scope.leadership:
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
        return [(item_id, replace(e, link=book.page(kind, scope.unit_id, office_id,
                                                    f"/items/{item_id}" if item_id is not None else "")))
                for item_id, e in events]


def build_feed(engine: Engine, scope: Scope, options: FeedOptions, now: datetime | None = None) -> Feed:
    """The feed's bytes, with SEQUENCE and times from the stored state (updated first)."""
    parent = scope.leadership and has_units_under(engine, scope.unit_id)
    info = feed_info(engine, scope, options, parent=parent)
    events = province_events(engine, scope.unit_id, options) if parent else read_events(engine, scope, options)
    wanted = {e.uid: (item_id, fingerprint(e)) for item_id, e in events}
    stored = sync_state(engine, wanted, now)
    if not parent:  # a province's events carry their links in their text
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


CONTINUOUS_PARAMETER = "thuong_xuyen"  # ?thuong_xuyen=0 leaves continuous items out of a web feed


def feed_url(ctx: Context, scope: Scope, continuous: bool = True) -> str:
    """The link calendar apps subscribe to for ``scope``'s feed (``continuous`` False: without continuous items)."""
    with unit_of_work(ctx.engine) as session:
        book = links.LinkBook(session, ctx.public_url)
        url = book.leadership_feed(scope.unit_id) if scope.leadership else book.office_feed(scope.office_id)
    return url if continuous else f"{url}?{CONTINUOUS_PARAMETER}=0"


def webcal(url: str) -> str:
    """The same link for apps that subscribe on a tap (iPhone, Outlook): ``webcal://`` in place of http(s).

    >>> webcal("https://dondoc.example.vn/feeds/abc.ics"), webcal("http://127.0.0.1:8000/feeds/abc.ics")
    ('webcal://dondoc.example.vn/feeds/abc.ics', 'webcal://127.0.0.1:8000/feeds/abc.ics')
    """
    scheme, sep, rest = url.partition("://")
    return f"webcal://{rest}" if sep and scheme in ("http", "https") else url

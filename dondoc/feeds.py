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

Each event's SEQUENCE is tracked in :class:`~dondoc.models.CalendarEvent`: a
fingerprint of what the event says is compared with the stored one; a new event
is inserted if absent (concurrent requests may race: the insert does nothing
when the row is already there), a changed one gets ``sequence + 1`` by an update
that only applies while the old fingerprint is still stored, so two requests
seeing the same change bump it once.

Feeds are cheap under load: :class:`FeedCache` keeps the built bytes per link,
day and *data version* (the highest ids and times of the tables a feed reads,
one query), builds at most once at a time per link, and forgets after a while.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time as _time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone

from sqlalchemy import Engine, and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from calendars.ical import FeedEvent, FeedInfo, alarm_offsets, build_calendar, event_uid, fingerprint
from calendars.workdays import WorkCalendar
from dondoc import links
from dondoc.db import unit_of_work
from dondoc.models import (
    AccessLink,
    AuditEntry,
    CalendarEvent,
    Extension,
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    Plan,
    StatusUpdate,
    Unit,
    utcnow,
)
from dondoc.status import Shown, Stored, shown_status
from dondoc.statusrun import _latest_updates

DONE = (Shown.DONE_ON_TIME, Shown.DONE_LATE)
# RFC 7986 COLOR takes CSS colour names; "amber" is not one.
CSS_COLOUR = {"amber": "gold"}
CHUNK = 500


class FeedNotFound(LookupError):
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
    reporting: dict | None = None  # config/reporting.yaml; None reads it


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime
    events: int
    name: str
    gzipped: bytes = b""  # the body compressed once, for clients that accept gzip


def options_from(settings, config, as_of: date) -> FeedOptions:
    """Options from the settings, the config tables and the chasing policy."""
    from dondoc.chasing import load_policy
    from dondoc.configuration import load_raw
    from dondoc.schedule import work_calendar

    policy = load_policy(settings)
    return FeedOptions(
        as_of=as_of, calendar=work_calendar(config, settings), public_url=settings.public_url,
        refresh_minutes=settings.feed_refresh_minutes, timezone=settings.timezone,
        due_soon_working_days=settings.due_soon_working_days, reminder_days=tuple(policy.reminder_days),
        copy_cooperating=policy.copy_cooperating, alarm_at=policy.send_at,
        reporting=load_raw("reporting.yaml", settings.user_config_dir),
    )


def scope_of(link: AccessLink) -> Scope:
    if link.kind not in links.FEED_KINDS:
        raise FeedNotFound(f"link kind {link.kind!r} is not a feed")
    return Scope(link.unit_id, link.office_id if link.kind == links.OFFICE_FEED else None)


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
        by_occurrence = {r.key: r for r in conn.execute(_latest_updates(as_of, StatusUpdate.occurrence_id, filters))}
        noted = {r.key: r for r in conn.execute(
            _latest_updates(as_of, StatusUpdate.item_id, [*filters, StatusUpdate.note.is_not(None)]))}
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
    if reporting is None:
        from dondoc.configuration import load_raw
        from dondoc.settings import get_settings

        reporting = load_raw("reporting.yaml", get_settings().user_config_dir)
    ask_before = (int(reporting.get("progress_request_working_days_before", 5)), 0)
    from dondoc.periodic import report_deadlines

    years: dict[int, list] = {}

    def by_year(year: int) -> list:
        if year not in years:
            years[year] = report_deadlines(year, calendar, reporting)
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


# ------------------------------------------------------------------ stored state (SEQUENCE)


def _stored(conn, uids: list[str]) -> dict[str, object]:
    found = {}
    for start in range(0, len(uids), CHUNK):
        chunk = uids[start : start + CHUNK]
        for row in conn.execute(select(CalendarEvent.uid, CalendarEvent.fingerprint, CalendarEvent.sequence,
                                       CalendarEvent.created_at, CalendarEvent.modified_at)
                                .where(CalendarEvent.uid.in_(chunk))):
            found[row.uid] = row
    return found


def _insert_absent(engine: Engine, rows: list[dict]) -> None:
    """Insert rows whose UID is not stored yet; rows another request inserted meanwhile are left alone."""
    if not rows:
        return
    dialect = engine.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        with engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                conn.execute(dialect_insert(CalendarEvent).on_conflict_do_nothing(index_elements=["uid"]),
                             rows[start : start + CHUNK])
        return
    for row in rows:  # any other database: one row at a time, a duplicate is not an error
        try:
            with engine.begin() as conn:
                conn.execute(CalendarEvent.__table__.insert(), [row])
        except IntegrityError:
            continue


def sync_state(engine: Engine, wanted: dict[str, tuple[int, str]], now: datetime | None = None) -> dict[str, object]:
    """Make the stored state match ``wanted`` (UID -> item id, fingerprint) and return it per UID
    (fingerprint, sequence, created_at, modified_at). A changed fingerprint bumps SEQUENCE once."""
    now = now or utcnow()
    uids = list(wanted)
    with engine.connect() as conn:
        stored = _stored(conn, uids)
    for _ in range(3):  # a concurrent request may have written in between: look again
        absent = [u for u in uids if u not in stored]
        changed = [(u, stored[u].fingerprint) for u in uids if u in stored and stored[u].fingerprint != wanted[u][1]]
        if not absent and not changed:
            return stored
        _insert_absent(engine, [dict(uid=u, item_id=wanted[u][0], fingerprint=wanted[u][1], sequence=0,
                                     created_at=now, modified_at=now) for u in absent])
        if changed:
            with engine.begin() as conn:
                conn.execute(
                    update(CalendarEvent)
                    .where(CalendarEvent.uid == bindparam("b_uid"), CalendarEvent.fingerprint == bindparam("b_old"))
                    .values(fingerprint=bindparam("b_new"), sequence=CalendarEvent.sequence + 1, modified_at=now)
                    .execution_options(synchronize_session=False),
                    [dict(b_uid=u, b_old=old, b_new=wanted[u][1]) for u, old in changed],
                )
        with engine.connect() as conn:
            stored.update(_stored(conn, absent + [u for u, _ in changed]))
    return stored


def _aware(moment: datetime) -> datetime:
    """Stored times in UTC (SQLite gives them back naive, PostgreSQL in the session's zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


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
        final.append(replace(e, sequence=row.sequence, created=_aware(row.created_at), modified=_aware(row.modified_at)))
    body = build_calendar(final, info)
    last = max((e.modified for e in final), default=datetime(2020, 1, 1, tzinfo=timezone.utc))
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Feed(body=body, etag=etag, last_modified=last.replace(microsecond=0), events=len(final), name=info.name,
                gzipped=gzip.compress(body, compresslevel=6, mtime=0))


# ------------------------------------------------------------------ caching


def data_version(engine: Engine) -> tuple:
    """What changes whenever anything a feed shows changes (one query of maxima over indexed keys)."""
    # Imports, updates, extensions, triggers, overrides and link changes all write the audit log;
    # status updates written in bulk (demo data) do not, hence their own maximum.
    parts = [
        select(func.max(AuditEntry.id)), select(func.max(StatusUpdate.id)), select(func.max(Extension.id)),
        select(func.max(Occurrence.id)), select(func.max(Milestone.id)), select(func.max(Plan.updated_at)),
        select(func.max(AccessLink.id)), select(func.max(Office.id)),
    ]
    with engine.connect() as conn:
        return tuple(conn.execute(select(*(p.scalar_subquery() for p in parts))).one())


class FeedCache:
    """Built feeds per link, day and data version; at most one build at a time per link.

    ``max_age`` bounds how long an entry is trusted without a rebuild, for the rare
    change the data version does not see (an office renamed in config).
    ``version_ttl`` is how long one reading of the data version serves every
    request (a change shows in the feeds that much later; calendar apps poll hourly).
    """

    def __init__(self, max_entries: int = 1024, max_age: float = 300.0, version_ttl: float = 1.0,
                 clock: Callable[[], float] = _time.monotonic) -> None:
        self.max_entries, self.max_age, self.version_ttl, self.clock = max_entries, max_age, version_ttl, clock
        self._entries: OrderedDict[int, tuple[tuple, float, Feed]] = OrderedDict()
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self._version: tuple[float, tuple] | None = None
        self.builds = 0

    def version(self, engine: Engine) -> tuple:
        """The data version, read at most once per ``version_ttl``."""
        now = self.clock()
        known = self._version
        if known is not None and now - known[0] < self.version_ttl:
            return known[1]
        current = data_version(engine)
        self._version = (now, current)
        return current

    def _lookup(self, key: int, version: tuple) -> Feed | None:
        with self._guard:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or self.clock() - entry[1] > self.max_age:
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def get(self, key: int, version: tuple, build: Callable[[], Feed]) -> Feed:
        feed = self._lookup(key, version)
        if feed is not None:
            return feed
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            feed = self._lookup(key, version)  # built by another request while this one waited
            if feed is not None:
                return feed
            feed = build()
            self.builds += 1
            with self._guard:
                self._entries[key] = (version, self.clock(), feed)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    old, _ = self._entries.popitem(last=False)
                    self._locks.pop(old, None)
            return feed


def cached_feed(cache: FeedCache, engine: Engine, link_id: int, scope: Scope, options: FeedOptions) -> Feed:
    version = (options.as_of, *cache.version(engine))
    return cache.get(link_id, version, lambda: build_feed(engine, scope, options))

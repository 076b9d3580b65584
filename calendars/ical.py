"""Calendar feeds as iCalendar (RFC 5545, RFC 7986): a list of events to VCALENDAR bytes.

Each due date is one all-day VEVENT on the day that counts (the extended due
date if extended, else the effective one). Its UID is made from the item, the
milestone and the *nominal* due date, so an extension moves the event but keeps
its UID; SEQUENCE and LAST-MODIFIED come from the caller's stored state, and so
does DTSTAMP (for a published calendar without METHOD it is the time the event
was last revised, RFC 5545 §3.8.7.2), which keeps the bytes the same while
nothing changed. A reporting checkpoint of continuous items is one event that
lists them (:class:`Listed`), not one event per item.

Reminders ("nhắc việc") are VALARMs at a morning hour, local time, a number of
*calendar* days before the day; :func:`alarm_leads` turns the working-day lead
times of the chasing policy into those days and keeps the working-day count,
which the alarm's text says ("còn 3 ngày làm việc", as the reminder messages count).

Pure: no clock, no database, no settings; everything is an input.

>>> from datetime import datetime, timezone
>>> when = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
>>> event = FeedEvent(uid=event_uid(7, 12, date(2026, 3, 31)), day=date(2026, 3, 31), item="43",
...                   content="Ban hành kế hoạch kiểm tra CCHC", status="trong hạn", sequence=0, modified=when,
...                   lead=("Văn phòng HĐND và UBND",), alarms=(Lead(1, 1), Lead(0, 0)))
>>> event.uid
'dondoc-7-12-20260331@dondoc'
>>> body = build_calendar([event], FeedInfo(name="Lịch của Văn phòng"))
>>> b"DTSTART;VALUE=DATE:20260331" in body, b"TRIGGER:-PT16H" in body, b"TRIGGER:PT8H" in body
(True, True, True)
>>> alarm_text(event, Lead(5, 3))
'Nhắc việc: Mục 43 còn 3 ngày làm việc đến hạn (31/03/2026)'
>>> summary(FeedEvent(uid="u", day=date(2026, 3, 31), item="5", content="Rà soát TTHC", status="hoàn thành đúng hạn",
...                   sequence=1, modified=when, done=True))
'✓ Đã hoàn thành: Mục 5: Rà soát TTHC'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from calendars.workdays import WorkCalendar

__all__ = [
    "DONE_PREFIX",
    "OVERDUE_PREFIX",
    "FeedEvent",
    "FeedInfo",
    "IncompleteFeedEvent",
    "Lead",
    "Listed",
    "alarm_leads",
    "alarm_offsets",
    "alarm_text",
    "build_calendar",
    "description",
    "event_uid",
    "fingerprint",
    "report_uid",
    "summary",
]

DONE_PREFIX = "✓ Đã hoàn thành: "
OVERDUE_PREFIX = "⚠ Quá hạn: "
DONE_CATEGORY = "Đã hoàn thành"
OVERDUE_CATEGORY = "Quá hạn"
UID_DOMAIN = "dondoc"
SUMMARY_CONTENT_CHARS = 120
# Characters RFC 5545 does not allow in TEXT values: controls other than tab and line feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class IncompleteFeedEvent(ValueError):
    """An event that cannot be written as it stands; the message says which field to set."""


class Lead(NamedTuple):
    """One alarm: ``days`` calendar days before the event's day (0 = on the day), which is
    ``working_days`` working days before it (``None`` when the caller counts calendar days)."""

    days: int
    working_days: int | None = None


@dataclass(frozen=True)
class Listed:
    """One item in a reporting checkpoint's list: "Mục 3: <text> (phối hợp)"."""

    label: str  # "Mục 3", or "KH CCHC 2026, mục 3" when several plans are in view
    content: str
    note: str = ""  # shown after the text in parentheses: the office's role, or who leads


@dataclass(frozen=True)
class FeedEvent:
    """One due date, or one reporting checkpoint of continuous items (``listed``), as the feed shows it."""

    uid: str
    day: date  # the day shown: extended due date, else effective due date
    item: str  # the item's number in its plan, e.g. "43" ("" for a checkpoint listing items)
    content: str
    status: str  # the shown status, in Vietnamese ("quá hạn", "hoàn thành đúng hạn", ...)
    sequence: int
    modified: datetime  # when the event last changed (aware); DTSTAMP and LAST-MODIFIED
    created: datetime | None = None
    plan: str = ""  # the plan's title, as people read it (never its code)
    label: str = ""  # how the item is named: "Mục 43" (default), "KH CCHC 2026, mục 43"
    milestone: str | None = None  # "KH: Quý I hàng năm"
    checkpoint: str | None = None  # the reporting period of a continuous item's checkpoint: "Quý I năm 2026"
    lead: tuple[str, ...] = ()
    cooperating: tuple[str, ...] = ()
    nominal: date | None = None
    original: date | None = None  # the effective due date before an extension
    done: bool = False
    overdue: bool = False
    note: str | None = None
    note_on: date | None = None
    product: str | None = None
    colour: str | None = None  # a CSS colour name (RFC 7986 COLOR)
    link: str | None = None  # where the office reports on the item
    alarms: tuple[Lead, ...] = ()  # the reminders before ``day``
    listed: tuple[Listed, ...] = ()  # a checkpoint's continuous items (``checkpoint`` names the period)

    @property
    def name(self) -> str:
        """"Mục 43" (or the label given)."""
        return clean(self.label) or f"Mục {clean(self.item)}"


@dataclass(frozen=True)
class FeedInfo:
    """What the calendar as a whole says about itself."""

    name: str
    description: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    refresh_minutes: int = 60
    alarm_at: time = time(8, 0)  # local time at which the reminders of a day go off
    prodid: str = "-//Đôn Đốc//Lịch nhiệm vụ CCHC//VI"


def event_uid(item_id: int, milestone_id: int, nominal: date | str) -> str:
    """A UID that stays the same when the due date is extended (it names the nominal date).

    >>> event_uid(1, 2, date(2027, 6, 30)), event_uid(1, 3, "2026-Q1")
    ('dondoc-1-2-20270630@dondoc', 'dondoc-1-3-2026-Q1@dondoc')
    """
    key = nominal.strftime("%Y%m%d") if isinstance(nominal, date) else str(nominal)
    return f"dondoc-{item_id}-{milestone_id}-{key}@{UID_DOMAIN}"


def report_uid(owner: str, period: str) -> str:
    """The UID of one feed's reporting checkpoint (``owner`` names the feed: an office or a leadership).

    >>> report_uid("o12", "2026-Q1")
    'dondoc-report-o12-2026-Q1@dondoc'
    """
    return f"dondoc-report-{owner}-{period}@{UID_DOMAIN}"


def alarm_leads(deadline: date, working_days_before: Iterable[int], calendar: WorkCalendar) -> tuple[Lead, ...]:
    """Working-day lead times as alarms: calendar days before ``deadline`` with the working days they are.

    >>> cal = WorkCalendar(holidays=[date(2026, 4, 30), date(2026, 5, 1)])
    >>> alarm_leads(date(2026, 5, 4), [3, 1, 0], cal)
    (Lead(days=7, working_days=3), Lead(days=5, working_days=1), Lead(days=0, working_days=0))
    """
    leads = {}
    for n in working_days_before:
        if n < 0:
            raise ValueError(f"a reminder lead time counts working days before the due date, got {n}")
        leads[n] = Lead((deadline - calendar.add_working_days(deadline, -n)).days if n else 0, n)
    return tuple(sorted(leads.values(), reverse=True))


def alarm_offsets(deadline: date, working_days_before: Iterable[int], calendar: WorkCalendar) -> tuple[int, ...]:
    """Working-day lead times as calendar days before ``deadline`` (largest first, no repeats).

    30/04 and 01/05 are holidays, so one working day before Monday 04/05/2026 is
    Wednesday 29/04, five calendar days earlier:

    >>> cal = WorkCalendar(holidays=[date(2026, 4, 30), date(2026, 5, 1)])
    >>> alarm_offsets(date(2026, 5, 4), [3, 1, 0], cal)
    (7, 5, 0)
    """
    days = set()
    for n in working_days_before:
        if n < 0:
            raise ValueError(f"a reminder lead time counts working days before the due date, got {n}")
        days.add((deadline - calendar.add_working_days(deadline, -n)).days if n else 0)
    return tuple(sorted(days, reverse=True))


def clean(text: str | None) -> str:
    """Text safe for an iCalendar TEXT value: line ends normalised, other control characters as spaces.

    >>> clean("Dòng 1\\r\\nDòng 2\\x0bhết\\x00")
    'Dòng 1\\nDòng 2 hết'
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).strip()


def _short(text: str, limit: int = SUMMARY_CONTENT_CHARS) -> str:
    one_line = " ".join(clean(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def summary(event: FeedEvent) -> str:
    """The event's title: done and overdue are visible at a glance; a checkpoint says how many items it lists.

    >>> from datetime import datetime, timezone
    >>> when = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> summary(FeedEvent(uid="u", day=date(2026, 3, 2), item="", content="", status="thường xuyên", sequence=0,
    ...                   modified=when, checkpoint="Quý I năm 2026", listed=(Listed("Mục 3", "Rà soát TTHC"),)))
    'Báo cáo định kỳ Quý I năm 2026 – 1 nhiệm vụ thường xuyên'
    """
    prefix = DONE_PREFIX if event.done else OVERDUE_PREFIX if event.overdue else ""
    if event.listed:
        return f"{prefix}Báo cáo định kỳ {clean(event.checkpoint)} – {len(event.listed)} nhiệm vụ thường xuyên"
    checkpoint = f"Báo cáo {clean(event.checkpoint)} – " if event.checkpoint else ""
    return f"{prefix}{checkpoint}{event.name}: {_short(event.content)}"


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def description(event: FeedEvent) -> str:
    """The event's body, in Vietnamese: the item, its offices, its status and where to report."""
    lines = []
    if event.plan:
        plan = clean(event.plan)
        lines.append(plan if plan.lower().startswith("kế hoạch") else f"Kế hoạch: {plan}")
    if event.listed:
        return _listing(event, lines)
    lines.append(f"{event.name}: {clean(event.content)}")
    if event.milestone:
        lines.append(f"Thời hạn: {clean(event.milestone)}")
    if event.checkpoint:
        lines.append(f"Kỳ báo cáo: {clean(event.checkpoint)}, hạn gửi báo cáo: {_day(event.day)}")
    else:
        lines.append(f"Hạn: {_day(event.day)}")
        if event.original and event.original != event.day:
            lines.append(f"Hạn ban đầu: {_day(event.original)} (đã gia hạn)")
        elif event.nominal and event.nominal != event.day:
            lines.append(f"Hạn theo kế hoạch: {_day(event.nominal)} (lùi sang ngày làm việc)")
    if event.lead:
        lines.append("Chủ trì: " + "; ".join(clean(o) for o in event.lead))
    if event.cooperating:
        lines.append("Phối hợp: " + "; ".join(clean(o) for o in event.cooperating))
    lines.append(f"Trạng thái: {clean(event.status)}")
    if event.product:
        lines.append(f"Sản phẩm: {clean(event.product)}")
    if event.note:
        when = f" ({_day(event.note_on)})" if event.note_on else ""
        lines.append(f"Ghi chú{when}: {clean(event.note)}")
    if event.link:
        lines.append(f"Báo cáo kết quả: {event.link}")
    return "\n".join(lines)


LISTED_CONTENT_CHARS = 150


def _listing(event: FeedEvent, lines: list[str]) -> str:
    """A checkpoint's body: the period and its send-by day, then one line per continuous item."""
    lines.append(f"Kỳ báo cáo: {clean(event.checkpoint)}, hạn gửi báo cáo: {_day(event.day)}")
    lines.append(f"Báo cáo tình hình thực hiện {len(event.listed)} nhiệm vụ thường xuyên:")
    for entry in event.listed:
        note = f" ({clean(entry.note)})" if entry.note else ""
        lines.append(f"{clean(entry.label)}: {_short(entry.content, LISTED_CONTENT_CHARS)}{note}")
    if event.link:
        lines.append(f"Báo cáo kết quả: {event.link}")
    return "\n".join(lines)


def alarm_text(event: FeedEvent, lead: Lead) -> str:
    """What an alarm says, counted as the reminder messages count (working days when known)."""
    if lead.days == 0:
        left = "hôm nay"
    elif lead.working_days is not None:
        left = f"còn {lead.working_days} ngày làm việc"
    else:
        left = f"còn {lead.days} ngày"
    if event.listed:
        return (f"Nhắc việc: báo cáo định kỳ {clean(event.checkpoint)} ({len(event.listed)} nhiệm vụ thường xuyên), "
                f"hạn gửi {_day(event.day)} ({left})")
    when = "đến hạn hôm nay" if lead.days == 0 else f"{left} đến hạn"
    return f"Nhắc việc: {event.name} {when} ({_day(event.day)})"


def categories(event: FeedEvent) -> list[str]:
    extra = [DONE_CATEGORY] if event.done else [OVERDUE_CATEGORY] if event.overdue else []
    return list(dict.fromkeys([*extra, clean(event.status)]))


def fingerprint(event: FeedEvent) -> str:
    """A digest of what the event says, whichever feed shows it.

    The link, the alarms and the stored state (SEQUENCE, times) are left out: an
    office's feed and the leadership's feed show the same event with different
    links, and must not bump each other's SEQUENCE.
    """
    data = [
        event.uid, event.day.isoformat(), event.item, event.content, event.status, event.plan, event.label,
        event.milestone, event.checkpoint, list(event.lead), list(event.cooperating),
        [[e.label, e.content, e.note] for e in event.listed],
        event.nominal.isoformat() if event.nominal else None, event.original.isoformat() if event.original else None,
        event.done, event.overdue, event.note, event.note_on.isoformat() if event.note_on else None, event.product,
        event.colour,
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def _utc(moment: datetime, field: str, uid: str) -> datetime:
    if moment.tzinfo is None:
        raise IncompleteFeedEvent(f"{uid}: {field} needs a time zone (pass an aware datetime, e.g. in UTC)")
    return moment.astimezone(timezone.utc)


def _vevent(event: FeedEvent, info: FeedInfo) -> Event:
    if not event.uid:
        raise IncompleteFeedEvent("an event needs a UID (see event_uid)")
    if event.sequence < 0:
        raise IncompleteFeedEvent(f"{event.uid}: SEQUENCE cannot be negative")
    modified = _utc(event.modified, "modified", event.uid)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", modified)
    vevent.add("dtstart", event.day)
    vevent.add("dtend", event.day + timedelta(days=1))
    vevent.add("summary", summary(event))
    vevent.add("description", description(event))
    vevent.add("categories", categories(event))
    vevent.add("sequence", event.sequence)
    if event.created is not None:
        vevent.add("created", _utc(event.created, "created", event.uid))
    vevent.add("last-modified", modified)
    vevent.add("transp", "TRANSPARENT")
    if event.colour:
        vevent.add("color", event.colour)
    if event.link:
        vevent.add("url", event.link)
    morning = timedelta(hours=info.alarm_at.hour, minutes=info.alarm_at.minute)
    for lead in event.alarms:
        alarm = Alarm()
        alarm.add("uid", f"{event.uid.split('@', 1)[0]}-alarm-{lead.days}@{UID_DOMAIN}")
        alarm.add("action", "DISPLAY")
        # Relative to the start of an all-day event, i.e. local midnight of its day.
        alarm.add("trigger", timedelta(days=-lead.days) + morning)
        alarm.add("description", alarm_text(event, lead))
        vevent.add_component(alarm)
    return vevent


def build_calendar(events: Sequence[FeedEvent], info: FeedInfo) -> bytes:
    """The VCALENDAR for ``events``, in the order given, as bytes (UTF-8, CRLF line ends)."""
    cal = Calendar()
    cal.add("prodid", info.prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean(info.name))
    cal.add("name", clean(info.name))
    if info.description:
        cal.add("x-wr-caldesc", clean(info.description))
        cal.add("description", clean(info.description))
    cal.add("x-wr-timezone", info.timezone)
    refresh = timedelta(minutes=info.refresh_minutes)
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh).to_ical().decode("ascii"))
    first = min((e.day for e in events), default=date(2020, 1, 1))
    last = max((e.day for e in events), default=date(2040, 1, 1))
    cal.add_component(Timezone.from_tzid(info.timezone, first_date=date(min(first.year, 2020), 1, 1),
                                         last_date=date(max(last.year, 2040) + 1, 1, 1)))
    for event in events:
        cal.add_component(_vevent(event, info))
    return cal.to_ical()

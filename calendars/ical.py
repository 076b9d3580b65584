"""Calendar feeds as iCalendar (RFC 5545, RFC 7986): a list of events to VCALENDAR bytes.

Each due date is one all-day VEVENT on the day that counts (the extended due
date if extended, else the effective one). Its UID is made from the item, the
milestone and the *nominal* due date, so an extension moves the event but keeps
its UID; SEQUENCE and LAST-MODIFIED come from the caller's stored state, and so
does DTSTAMP (for a published calendar without METHOD it is the time the event
was last revised, RFC 5545 §3.8.7.2), which keeps the bytes the same while
nothing changed. Reminders ("nhắc việc") are VALARMs at a morning hour, local
time, a number of *calendar* days before the day; :func:`alarm_offsets` turns
the working-day lead times of the chasing policy into those days.

Pure: no clock, no database, no settings; everything is an input.

>>> from datetime import datetime, timezone
>>> when = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
>>> event = FeedEvent(uid=event_uid(7, 12, date(2026, 3, 31)), day=date(2026, 3, 31), item="43",
...                   content="Ban hành kế hoạch kiểm tra CCHC", status="trong hạn", sequence=0, modified=when,
...                   lead=("Văn phòng HĐND và UBND",), alarm_days=(1, 0))
>>> event.uid
'dondoc-7-12-20260331@dondoc'
>>> body = build_calendar([event], FeedInfo(name="Lịch của Văn phòng"))
>>> b"DTSTART;VALUE=DATE:20260331" in body, b"TRIGGER:-PT16H" in body, b"TRIGGER:PT8H" in body
(True, True, True)
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

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from calendars.workdays import WorkCalendar

__all__ = [
    "DONE_PREFIX",
    "OVERDUE_PREFIX",
    "FeedEvent",
    "FeedInfo",
    "IncompleteFeedEvent",
    "alarm_offsets",
    "build_calendar",
    "description",
    "event_uid",
    "fingerprint",
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


@dataclass(frozen=True)
class FeedEvent:
    """One due date (or one reporting checkpoint of a continuous item) as the feed shows it."""

    uid: str
    day: date  # the day shown: extended due date, else effective due date
    item: str  # the item's number in its plan, e.g. "43"
    content: str
    status: str  # the shown status, in Vietnamese ("quá hạn", "hoàn thành đúng hạn", ...)
    sequence: int
    modified: datetime  # when the event last changed (aware); DTSTAMP and LAST-MODIFIED
    created: datetime | None = None
    plan: str = ""
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
    alarm_days: tuple[int, ...] = ()  # calendar days before ``day``; 0 = on the day


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
    """The event's title: done and overdue are visible at a glance."""
    prefix = DONE_PREFIX if event.done else OVERDUE_PREFIX if event.overdue else ""
    checkpoint = f"Báo cáo {clean(event.checkpoint)} – " if event.checkpoint else ""
    return f"{prefix}{checkpoint}Mục {clean(event.item)}: {_short(event.content)}"


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def description(event: FeedEvent) -> str:
    """The event's body, in Vietnamese: the item, its offices, its status and where to report."""
    lines = []
    if event.plan:
        lines.append(f"Kế hoạch: {clean(event.plan)}")
    lines.append(f"Mục {clean(event.item)}: {clean(event.content)}")
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
        event.uid, event.day.isoformat(), event.item, event.content, event.status, event.plan, event.milestone,
        event.checkpoint, list(event.lead), list(event.cooperating),
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
    for days in event.alarm_days:
        alarm = Alarm()
        alarm.add("uid", f"{event.uid.split('@', 1)[0]}-alarm-{days}@{UID_DOMAIN}")
        alarm.add("action", "DISPLAY")
        # Relative to the start of an all-day event, i.e. local midnight of its day.
        alarm.add("trigger", timedelta(days=-days) + morning)
        when = "hôm nay" if days == 0 else f"còn {days} ngày"
        alarm.add("description", f"Nhắc hạn Mục {clean(event.item)}: {_day(event.day)} ({when})")
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

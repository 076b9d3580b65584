"""An item's checkpoints as one Prefect schedule string: an RRULE when they are evenly spaced, otherwise a
DTSTART and an RDATE list in the local clock time of the configured zone (Prefect reads RDATE so), kept
under Prefect's length limit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

RRULE_MAX_CHARS = 6400  # Prefect refuses RRule strings above 6,500 characters


def _local(moments: Iterable[datetime], tz: ZoneInfo) -> list[datetime]:
    out = set()
    for m in moments:
        m = m.replace(tzinfo=tz) if m.tzinfo is None else m.astimezone(tz)
        out.add(m.replace(microsecond=0, tzinfo=None))
    return sorted(out)


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def rrule_for(moments: Iterable[datetime], timezone: str) -> str | None:
    """One RRule string holding exactly ``moments`` (written in local clock time of ``timezone``).

    Evenly spaced times (three or more, a whole number of days apart) become an RRULE;
    anything else a DTSTART + RDATE list, cut to stay under Prefect's length limit
    (the latest times are dropped; the next sync brings them back).

    >>> tz = ZoneInfo("Asia/Ho_Chi_Minh")
    >>> print(rrule_for([datetime(2026, 3, 16, 8, tzinfo=tz), datetime(2026, 3, 26, 8, tzinfo=tz)], "Asia/Ho_Chi_Minh"))
    DTSTART:20260316T080000
    RDATE:20260316T080000,20260326T080000
    >>> print(rrule_for([datetime(2026, 1, d, 8, tzinfo=tz) for d in (5, 12, 19)], "Asia/Ho_Chi_Minh"))
    DTSTART:20260105T080000
    RRULE:FREQ=DAILY;INTERVAL=7;COUNT=3
    >>> rrule_for([], "Asia/Ho_Chi_Minh") is None
    True
    """
    local = _local(moments, ZoneInfo(timezone))
    if not local:
        return None
    head = f"DTSTART:{_fmt(local[0])}\n"
    if len(local) >= 3:
        steps = {b - a for a, b in zip(local, local[1:])}
        if len(steps) == 1:
            step = steps.pop()
            if step.seconds == 0 and step.days >= 1:
                return head + f"RRULE:FREQ=DAILY;INTERVAL={step.days};COUNT={len(local)}"
    dates, size = [], len(head) + len("RDATE:")
    for moment in local:
        text = _fmt(moment)
        if size + len(text) + 1 > RRULE_MAX_CHARS:
            break
        dates.append(text)
        size += len(text) + 1
    return head + "RDATE:" + ",".join(dates)


def checkpoint_count(rrule: str | None) -> int:
    """How many times an RRule string of :func:`rrule_for` holds.

    >>> checkpoint_count("RDATE:20260316T080000,20260326T080000"), checkpoint_count(None)
    (2, 0)
    """
    if not rrule:
        return 0
    for line in rrule.splitlines():
        if line.startswith("RDATE:"):
            return line.count(",") + 1
        if "COUNT=" in line:
            return int(line.rsplit("COUNT=", 1)[1].split(";")[0])
    return 0

"""What the tasks share: the database engine, the chasing policy, the working-day calendar, "now"."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dondoc.settings import get_settings


def engine():
    from dondoc.db import get_engine, migrate

    eng = get_engine()
    migrate(eng)
    return eng


def calendar():
    from dondoc.configuration import load_config
    from dondoc.schedule import work_calendar

    return work_calendar(load_config(), get_settings())


def policy():
    from dondoc.chasing import load_policy

    return load_policy(get_settings())


def now() -> datetime:
    """The current time in the configured zone: only flows decide what "now" is."""
    return datetime.now(ZoneInfo(get_settings().timezone))


def local(moment: datetime | None) -> datetime:
    tz = ZoneInfo(get_settings().timezone)
    if moment is None:
        return now()
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def today() -> date:
    return now().date()


def slug(value: str) -> str:
    """A Prefect artifact key part: lowercase ASCII letters, digits and dashes.

    >>> slug("Phòng Văn hóa - Xã hội")
    'phong-van-hoa-xa-hoi'
    """
    text = unicodedata.normalize("NFKD", value.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"

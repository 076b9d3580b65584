"""What every use case works with: settings, configuration, the database, the clock, the work calendar.

:class:`dondoc.app.Dondoc` is a :class:`Context` with the use cases on it; a use
case takes the context it needs and nothing global, so a test or a benchmark
builds one with a fixed clock and a throw-away database and calls it directly.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from calendars.workdays import WorkCalendar
from dondoc.clock import Clock
from dondoc.configuration import AppConfig, Policy, ReportingConfig, load_config
from dondoc.domain.workdays import work_calendar
from dondoc.settings import Settings
from dondoc.storage import links
from dondoc.storage.db import get_engine
from dondoc.storage.secret import secret_key


class Context:
    """Settings, typed configuration, database engine, clock and working-day calendar, built once."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, config: AppConfig | None = None,
                 engine: Engine | None = None) -> None:
        self.settings = settings
        self.config = config if config is not None else load_config(settings.user_config_dir)
        self.clock = clock or Clock(settings.timezone)
        self.engine = engine if engine is not None else get_engine(settings.resolved_database_url,
                                                                   settings.db_busy_seconds)
        self.calendar: WorkCalendar = work_calendar(self.config.holidays, roll_forward=settings.roll_forward)
        links.use_key(self.engine, functools.cache(lambda: secret_key(settings)))

    # -- time -----------------------------------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return self.clock.tz

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def local(self, moment: datetime | None) -> datetime:
        return self.clock.local(moment)

    def moment(self, day: date) -> datetime:
        """When a run for ``day`` acts: now on that day, else the day's send time (a day caught up)."""
        now = self.now()
        return now if now.date() == day else datetime.combine(day, self.policy.send_at, tzinfo=self.tz)

    # -- configuration --------------------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        return self.config.policy

    @property
    def reporting(self) -> ReportingConfig:
        return self.config.reporting

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    @property
    def due_soon(self) -> int:
        return self.settings.due_soon_working_days

    def calendar_for(self, first_year: int, last_year: int) -> WorkCalendar:
        """The working-day calendar over other years than the usual ones (2020–2040)."""
        return work_calendar(self.config.holidays, roll_forward=self.settings.roll_forward,
                             first_year=min(first_year, 2020), last_year=max(last_year, 2040))

    def checkpoints(self, start: date, end: date, *, as_of: date | None = None, item_ids: list[int] | None = None):
        """When each item's flow must run within [start, end] (set-based)."""
        from dondoc.storage.dues import checkpoints_by_item

        return checkpoints_by_item(self.engine, start, end, policy=self.policy, calendar=self.calendar, tz=self.tz,
                                   as_of=as_of or self.today(), item_ids=item_ids)

    # -- channels -------------------------------------------------------------------------------
    def dispatcher(self, **overrides):
        """A :class:`notifications.delivery.Dispatcher` for this context (close it when done)."""
        from notifications.delivery import Dispatcher

        options = dict(settings=self.settings, config=self.config.notifications, people=self.config.people)
        options.update(overrides)
        return Dispatcher(self.engine, **options)

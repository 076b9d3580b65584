"""What a unit's pages reuse between requests while the unit's data is unchanged.

:class:`UnitCache` keeps built values (a status run, a calendar feed) per key, each with
the data version of its unit (:func:`dondoc.storage.unitversions.unit_version`) it was built
for: a value is served again while that version is the same, so a write in one commune
leaves every other commune's entries alone, and a write made by any process (another web
worker, a command, a flow run) is seen by the next request. It is a bounded LRU; an entry
is also dropped after ``max_age`` seconds (for what the data version does not see: the
configuration of a restarted process, a rule changed in code), and a value is built at
most once at a time per key (concurrent requests for it wait for that build).

:class:`StatusRuns` is the office page's: the status run of the office's unit, the same for
every office of the unit, built once for all their page requests until the unit changes.
:class:`ProvinceViews` is a province's leadership page: its communes added up, until one changes.
"""

from __future__ import annotations

import threading
import time as _time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from dondoc.storage.statusrun import StatusReport
from dondoc.storage.unitversions import unit_version
from dondoc.usecases import pages
from dondoc.usecases.context import Context
from dondoc.usecases.pages import OfficeScope, OfficeView, status_report

if TYPE_CHECKING:
    from dondoc.usecases.province import ProvinceView

V = TypeVar("V")


class UnitCache(Generic[V]):
    """Values per key and unit data version; bounded, least recently used first out; one build at a time per key.

    ``version_ttl`` is how long one reading of a unit's data version serves every request for that unit
    (0: read at every request, so a page shows a write the moment it is committed)."""

    def __init__(self, max_entries: int = 256, max_age: float = 3600.0, version_ttl: float = 0.0,
                 clock: Callable[[], float] = _time.monotonic) -> None:
        self.max_entries, self.max_age, self.version_ttl, self.clock = max_entries, max_age, version_ttl, clock
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, V]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self._versions: OrderedDict[int, tuple[float, tuple]] = OrderedDict()
        self.builds = 0

    def version(self, engine: Engine, unit_id: int) -> tuple:
        """The data version of the unit (and the units under it), read at most once per ``version_ttl``."""
        now = self.clock()
        with self._guard:
            known = self._versions.get(unit_id)
        if known is not None and now - known[0] < self.version_ttl:
            return known[1]
        current = unit_version(engine, unit_id)
        if self.version_ttl > 0:
            with self._guard:
                self._versions[unit_id] = (now, current)
                self._versions.move_to_end(unit_id)
                while len(self._versions) > self.max_entries:
                    self._versions.popitem(last=False)
        return current

    def _lookup(self, key: Hashable, version: Hashable) -> V | None:
        with self._guard:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or self.clock() - entry[1] > self.max_age:
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def get(self, key: Hashable, version: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key`` built for ``version``; built now (once, whoever else asks meanwhile) when absent."""
        value = self._lookup(key, version)
        if value is not None:
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = self._lookup(key, version)  # built by another request while this one waited
            if value is not None:
                return value
            value = build()
            self.builds += 1
            with self._guard:
                self._entries[key] = (version, self.clock(), value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    old, _ = self._entries.popitem(last=False)
                    self._locks.pop(old, None)
            return value


class StatusRuns(UnitCache[StatusReport]):
    """The status run of a unit for today, shared by the pages of all its offices until the unit changes."""

    def report(self, ctx: Context, unit_id: int) -> StatusReport:
        day = ctx.today()
        version = self.version(ctx.engine, unit_id)  # read before the data: a later write only rebuilds again
        return self.get((unit_id, day, ctx.due_soon), version,
                        lambda: status_report(ctx.engine, unit_id, day, ctx.calendar, ctx.due_soon))


def office_view(ctx: Context, runs: StatusRuns, office: OfficeScope, item_id: int | None = None,
                history_limit: int | None = 3) -> OfficeView:
    """:func:`dondoc.usecases.pages.office_view` with the unit's status run taken from ``runs`` (first: the
    items read after it are at least as new as the run)."""
    report = runs.report(ctx, office.unit_id)
    return pages.office_view(ctx, office, item_id, history_limit, report=report)


class ProvinceViews(UnitCache["ProvinceView"]):
    """A province's overview (its communes added up and ranked) for today, built once for every request
    until the province or one of its communes changes: the version of a unit covers the units under it."""

    def view(self, ctx: Context, unit_id: int) -> "ProvinceView":
        from dondoc.usecases.province import province_view

        version = self.version(ctx.engine, unit_id)
        return self.get((unit_id, ctx.today(), ctx.due_soon), version, lambda: province_view(ctx, unit_id))

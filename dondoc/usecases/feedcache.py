"""Built calendar feeds, cached per link (with or without continuous items), day and data version of the unit.

Feeds are cheap under load: a calendar app polling every few minutes costs one
small query (the data version of the feed's unit, read at most once a second per
unit) while nothing it shows has changed; a write in another unit leaves the feed
alone; a feed is built at most once at a time per link, and an entry is forgotten
after a while (see :class:`dondoc.usecases.unitcache.UnitCache`).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable

from sqlalchemy import Engine

from dondoc.usecases.feeds import Feed, FeedOptions, Scope, build_feed
from dondoc.usecases.unitcache import UnitCache


class FeedCache(UnitCache[Feed]):
    """Built feeds per link, day and data version of the feed's unit; at most one build at a time per link.

    ``max_age`` bounds how long an entry is trusted without a rebuild, for the rare
    change the data version does not see (an office renamed in config).
    ``version_ttl`` is how long one reading of a unit's data version serves every
    request (a change shows in the feeds that much later; calendar apps poll hourly).
    """

    def __init__(self, max_entries: int = 1024, max_age: float = 300.0, version_ttl: float = 1.0,
                 clock: Callable[[], float] = _time.monotonic) -> None:
        super().__init__(max_entries=max_entries, max_age=max_age, version_ttl=version_ttl, clock=clock)


def cached_feed(cache: FeedCache, engine: Engine, link_id: int, scope: Scope, options: FeedOptions) -> Feed:
    """The feed of a link, with or without its continuous items (two entries of the cache)."""
    version = (options.as_of, cache.version(engine, scope.unit_id))
    return cache.get((link_id, options.continuous), version, lambda: build_feed(engine, scope, options))

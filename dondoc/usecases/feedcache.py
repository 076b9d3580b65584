"""Built calendar feeds, cached per link (with or without continuous items), day and data version.

Feeds are cheap under load: a calendar app polling every few minutes costs one
small query (the data version, read at most once a second for every request)
while nothing it shows has changed; a feed is built at most once at a time per
link, and an entry is forgotten after a while.
"""

from __future__ import annotations

import threading
import time as _time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import Engine

from dondoc.storage.feedstate import data_version
from dondoc.usecases.feeds import Feed, FeedOptions, Scope, build_feed


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
        self._entries: OrderedDict[Hashable, tuple[tuple, float, Feed]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
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

    def _lookup(self, key: Hashable, version: tuple) -> Feed | None:
        with self._guard:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or self.clock() - entry[1] > self.max_age:
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def get(self, key: Hashable, version: tuple, build: Callable[[], Feed]) -> Feed:
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
    """The feed of a link, with or without its continuous items (two entries of the cache)."""
    version = (options.as_of, *cache.version(engine))
    return cache.get((link_id, options.continuous), version, lambda: build_feed(engine, scope, options))

"""Calendar feed latency under load, beside a baseline measured in the same run.

Builds the demo dataset (N communes from the two real appendices) in a fresh
SQLite database, picks the office with the most items (lead or cooperating),
serves the web app with a real uvicorn server and measures, with C concurrent
clients (threads, one HTTP session each):
  - full GETs of the office's feed (the feed is cached per link and data version);
  - conditional GETs with If-None-Match (what calendar apps send; 304);
  - a few GETs with the cache turned off (every request rebuilds the feed);
and the baseline: serialising the same calendar in-process (the events already
read), and building it from the database in-process (read, SEQUENCE state, serialise).

    python bench/bench_feeds.py --communes 130 --clients 50 --requests 500
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app, largest_office, run_load, timed  # noqa: E402

import requests  # noqa: E402

from calendars.ical import build_calendar  # noqa: E402
from dondoc.storage import links  # noqa: E402
from dondoc.storage.db import read_session, unit_of_work  # noqa: E402
from dondoc.usecases import feeds  # noqa: E402
from dondoc.usecases.feedcache import FeedCache  # noqa: E402
from dondoc.web.server import WebServer  # noqa: E402


def load(url: str, clients: int, total: int, headers: dict | None = None) -> tuple[list[float], dict[int, int], float]:
    """``total`` GETs of ``url`` spread over ``clients`` threads; latencies in seconds, status counts, wall time."""
    return run_load(clients, total, lambda session: None,
                    lambda session, _state, _n: session.get(url, headers=headers or {}, timeout=300))


def summary(label: str, latencies: list[float], statuses: dict[int, int], wall: float) -> None:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"{label:<34}: p50 {statistics.median(latencies) * 1000:8.1f} ms   p95 {cuts[94] * 1000:8.1f} ms   "
          f"max {max(latencies) * 1000:8.1f} ms   {len(latencies) / wall:7.1f} req/s   statuses {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--uncached-requests", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        app = bench_app(home)
        engine, today = app.engine, app.today()
        started = time.perf_counter()
        demo = app.build_demo(communes=args.communes, seed=2026, as_of=today, province="Tỉnh Thanh Hóa")
        build_s = time.perf_counter() - started
        with read_session(engine) as session:
            office = largest_office(session)
        scope = feeds.Scope(office.unit_id, office.id)
        with unit_of_work(engine) as session:
            token = links.ensure_link(session, links.OFFICE_FEED, office.unit_id, office.id).token
            links.ensure_link(session, links.OFFICE, office.unit_id, office.id)

        options = feeds.options_from(app, today)
        feed = feeds.build_feed(engine, scope, options)  # stores the SEQUENCE state once
        build_s_med, _ = timed(lambda: feeds.build_feed(engine, scope, options), args.repeat)
        info = feeds.feed_info(engine, scope, options)
        from icalendar import Calendar

        events = Calendar.from_ical(feed.body).walk("VEVENT")
        read = feeds.read_events(engine, scope, options)
        serialise_s, body = timed(lambda: build_calendar([e for _, e in read], info), args.repeat)

        print(f"communes / plans / items : {demo.units} / {demo.plans} / {demo.items}  (demo built in {build_s:.1f} s)")
        print(f"office                   : {office.name} ({office.unit}), {office.n} item links, "
              f"{len(events)} events, {len(feed.body) / 1024:.0f} KiB")
        print(f"baseline: serialise      : {serialise_s * 1000:8.1f} ms  (in-process, events already read)")
        print(f"in-process build_feed    : {build_s_med * 1000:8.1f} ms  (read + SEQUENCE state + serialise)")

        with WebServer(app, host="127.0.0.1", port=0, workers=1) as server:  # in this process: its cache swapped below
            url = f"{server.url}/feeds/{token}.ics"
            warm = requests.get(url, timeout=300)
            assert warm.status_code == 200, warm.status_code
            etag = warm.headers["ETag"]
            summary(f"GET, {args.clients} clients, cached", *load(url, args.clients, args.requests))
            summary(f"If-None-Match, {args.clients} clients", *load(url, args.clients, args.requests, {"If-None-Match": etag}))
            server.app.state.feed_cache = FeedCache(max_age=-1)  # every request rebuilds
            n = args.uncached_requests
            summary(f"GET, {min(n, args.clients)} clients, no cache", *load(url, min(n, args.clients), n))


if __name__ == "__main__":
    main()

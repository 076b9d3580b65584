"""What the benchmarks share: a median timer and a throw-away PostgreSQL schema."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The median of ``repeat`` runs of ``fn`` in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A new schema on the server at ``url``, dropped afterwards; yields a URL whose search_path is it."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in url else "?"
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench_app(home, url: str | None = None, **settings):
    """The application on a fresh data directory ``home`` (SQLite there unless ``url``), migrated."""
    from pathlib import Path

    from dondoc.app import Dondoc
    from dondoc.settings import Settings

    home = Path(home)
    options = {"home": home, "database_url": url or f"sqlite:///{home / 'bench.db'}", **settings}
    return Dondoc.build(Settings(**options), migrate=True)


def largest_office(session):
    """The office with the most items (lead or cooperating): (id, unit_id, name, unit, n)."""
    from sqlalchemy import func, select

    from dondoc.storage.models import ItemOffice, Office, Unit

    return session.execute(
        select(Office.id, Office.unit_id, Office.name, Unit.name.label("unit"), func.count().label("n"))
        .join(ItemOffice, ItemOffice.office_id == Office.id)
        .join(Unit, Unit.id == Office.unit_id)
        .group_by(Office.id, Office.unit_id, Office.name, Unit.name)
        .order_by(func.count().desc(), Office.id)
    ).first()


def run_load(clients: int, total: int, setup, request) -> tuple[list[float], dict[int, int], float]:
    """``total`` requests over ``clients`` threads: ``setup(session)`` once per client (not timed), then
    ``request(session, n)`` per request; returns latencies, status counts, wall time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start_line = threading.Barrier(clients)
    counter = iter(range(10**9))

    def client(n: int) -> None:
        import requests

        with requests.Session() as session:
            state = setup(session)
            start_line.wait()
            for _ in range(n):
                with lock:
                    k = next(counter)
                started = time.perf_counter()
                response = request(session, state, k)
                _ = response.content
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - wall

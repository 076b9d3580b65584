"""What the benchmarks share: a median timer and a throw-away PostgreSQL schema."""

from __future__ import annotations

import statistics
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

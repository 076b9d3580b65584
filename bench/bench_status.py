"""Import throughput and status-run time at province scale, beside a baseline.

Builds the demo dataset (N communes from the two real appendices) in a fresh
database, then measures:
  - import throughput: items stored per second while building it;
  - the status run over every commune (median of several runs);
  - the baseline, measured in the same run: just reading the same rows the
    status run reads (milestones with their items, occurrences, status updates,
    item offices) with plain SELECTs and no computation;
  - the province's pages: its leadership page (the use case, then the whole
    page through the web application) beside one commune's leadership page,
    its standing page, and its calendar feed (build time and event count).

    python bench/bench_status.py --communes 130 [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app, postgres_schema, timed  # noqa: E402

from sqlalchemy import text  # noqa: E402


BASELINE_SQL = [
    "SELECT m.id, m.kind, m.label, m.event, i.id, i.number, i.content, i.deadline_text, i.product, i.area_id "
    "FROM milestones m JOIN items i ON i.id = m.item_id WHERE m.active",
    "SELECT id, milestone_id, nominal_due, effective_due, extended_due FROM occurrences",
    "SELECT id, item_id, milestone_id, occurrence_id, status, note, product, as_of FROM status_updates",
    "SELECT io.item_id, io.role, o.name FROM item_offices io JOIN offices o ON o.id = io.office_id",
]


def bench(home: Path, url: str | None, communes: int, as_of: date, repeat: int) -> None:
    app = bench_app(home, url)
    engine = app.engine
    start = time.perf_counter()
    summary = app.build_demo(communes=communes, seed=2026, as_of=as_of, province="Tỉnh Thanh Hóa")
    build_s = time.perf_counter() - start

    def baseline():
        with engine.connect() as conn:
            return sum(len(conn.execute(text(sql)).all()) for sql in BASELINE_SQL)

    def status():
        return app.status(as_of)

    baseline()  # warm the caches of both equally
    base_s, base_rows = timed(baseline, repeat)
    run_s, report = timed(status, repeat)
    tracemalloc.start()
    status()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    backend = engine.url.get_backend_name()
    print(f"backend                : {backend}")
    print(f"communes / plans       : {summary.units} / {summary.plans}")
    print(f"items / status updates : {summary.items} / {summary.updates}")
    print(f"demo build (all)       : {build_s:.2f} s")
    print(f"import                 : {summary.import_seconds:.2f} s  ->  {summary.items / summary.import_seconds:,.0f} items/s")
    print(f"baseline (read rows)   : {base_s * 1000:.0f} ms  ({base_rows:,} rows)")
    print(f"status run             : {run_s * 1000:.0f} ms  ({len(report.rows):,} milestone rows)  = {run_s / base_s:.1f}x baseline")
    print(f"status run peak memory : {peak / 2**20:.1f} MiB")
    province_pages(app, as_of, repeat)
    print()


def cpu_timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``fn`` (CPU time of this process, SQLite's work included: the figure
    that holds when other programs share the machine), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2], result


def _ms(wall: float, cpu: float) -> str:
    return f"{wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms)"


def province_pages(app, as_of: date, repeat: int) -> None:
    """The province's leadership page, standing page and feed, beside one commune's leadership page."""
    from fastapi.testclient import TestClient

    from dondoc.clock import FixedClock
    from dondoc.storage.lookups import find_unit
    from dondoc.usecases.leadership import leadership_view
    from dondoc.usecases.province import province_view
    from dondoc.web.app import create_app

    app.clock = FixedClock(as_of)
    with app.session() as session:
        province_id = find_unit(session, "Tỉnh Thanh Hóa").id
        commune = find_unit(session, "Xã An Bình")
        commune_id, commune_name = commune.id, commune.name

    def path(unit: str, kind: str) -> str:
        [rows] = [u.rows for u in app.links(unit) if u.unit == unit]
        return next(r["url"] for r in rows if r["kind"] == kind)[len(app.public_url.rstrip("/")):]

    client = TestClient(create_app(app))
    pages = {what: path(unit, kind) for what, unit, kind in (
        ("province", "Tỉnh Thanh Hóa", "leadership"), ("commune", commune_name, "leadership"),
        ("standing", "Tỉnh Thanh Hóa", "standing"), ("commune standing", commune_name, "standing"))}
    province_view(app, province_id), leadership_view(app, commune_id)  # warm both equally
    for url in pages.values():
        client.get(url)
    view_s, view_cpu, view = cpu_timed(lambda: province_view(app, province_id), repeat)
    one_s, one_cpu, _ = cpu_timed(lambda: leadership_view(app, commune_id), repeat)
    got = {what: cpu_timed(lambda url=url: client.get(url), repeat) for what, url in pages.items()}
    feed_s, feed_cpu, (feed, _, _) = cpu_timed(lambda: app.feed(unit="Tỉnh Thanh Hóa", leadership=True), repeat)
    run_s, run_cpu, _ = cpu_timed(lambda: app.status(as_of, unit="Tỉnh Thanh Hóa"), repeat)
    communes = len(view.communes)
    print(f"province status run    : {_ms(run_s, run_cpu)}  (every row of the tree, as dondoc status reads it)")
    print(f"province view          : {_ms(view_s, view_cpu)}  ({communes} communes, {view.items:,} items)  "
          f"beside one commune's view {_ms(one_s, one_cpu)}")
    page = got["province"]
    print(f"province page (HTTP)   : {_ms(page[0], page[1])}  ({len(page[2].content):,} bytes)  "
          f"beside one commune's page {_ms(*got['commune'][:2])}")
    print(f"province standing page : {_ms(*got['standing'][:2])}  beside one commune's {_ms(*got['commune standing'][:2])}")
    print(f"province feed          : {_ms(feed_s, feed_cpu)}  ({feed.events} events for {communes} communes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--as-of", default="2027-06-30", help="day of the status run (default mid plan)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (a temporary schema is used)")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as home:
        bench(Path(home) / "sqlite", None, args.communes, as_of, args.repeat)
        if args.postgres:
            with postgres_schema(args.postgres) as url:
                bench(Path(home) / "postgres", url, args.communes, as_of, args.repeat)


if __name__ == "__main__":
    main()

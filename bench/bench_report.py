"""The province report at province scale, beside the status run over the same data.

Builds the demo dataset (N communes from the two real appendices, under one
province) in a fresh database, then measures, in the same run:
  - the baseline: the status run over every commune at the period's cut-off
    (what any report needs at least), median of several runs;
  - the province report: compile (the status runs at this and the previous
    cut-off, done dates, extensions, the per-commune summary), then the .docx
    (with the chart), the .xlsx annex and the Markdown summary, each timed,
    and the whole build_report, median of several runs;
  - the peak Python memory of one whole build (tracemalloc).

    python bench/bench_report.py --communes 130 [--period 2027-H1] [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
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

from sqlalchemy import select  # noqa: E402

from dondoc.storage.db import read_session  # noqa: E402
from dondoc.storage.models import Unit  # noqa: E402
from dondoc.reports.build import build_report, file_stem, place_of  # noqa: E402
from dondoc.reports.markdown import render_markdown  # noqa: E402
from dondoc.reports.province import compile_province, member_units  # noqa: E402
from dondoc.reports.province_docx import write_province_docx  # noqa: E402
from dondoc.reports.xlsx_annex import write_xlsx  # noqa: E402
from dondoc.storage.statusrun import run_status  # noqa: E402

PROVINCE = "Tỉnh Thanh Hóa"


def bench(home: Path, url: str | None, communes: int, as_of: date, period_key: str, repeat: int, out: Path) -> None:
    app = bench_app(home, url)
    engine, calendar, days = app.engine, app.calendar, app.due_soon
    start = time.perf_counter()
    summary = app.build_demo(communes=communes, seed=2026, as_of=as_of, province=PROVINCE)
    build_s = time.perf_counter() - start
    period = app.parse_period(period_key)
    with read_session(engine) as session:
        province = session.scalar(select(Unit).where(Unit.name == PROVINCE))
    unit_ids = [i for i, _ in member_units(engine, province)]
    signed_on = period.cutoff

    def baseline():
        return run_status(engine, period.cutoff, calendar, due_soon_working_days=days, unit_ids=unit_ids)

    def compile_():
        return compile_province(app, province, period)

    def whole():
        return build_report(app, province, period, out, signed_on=signed_on)

    baseline()  # warm the caches (and the chart's imports) before any timing
    whole()
    base_s, status = timed(baseline, repeat)
    compile_s, report = timed(compile_, repeat)
    stem = out / f"{file_stem(province, period)}-parts"
    issuer = f"ỦY BAN NHÂN DÂN {province.name.upper()}"
    docx_s, _ = timed(lambda: write_province_docx(report, stem.with_suffix(".docx"), issuer=issuer,
                                                  place=place_of(province), signed_on=signed_on), repeat)
    xlsx_s, _ = timed(lambda: write_xlsx(report.content, stem.with_suffix(".xlsx"), units=report.units), repeat)
    md_s, _ = timed(lambda: render_markdown(report.content, unit=province.name, units=report.units), repeat)
    whole_s, files = timed(whole, repeat)
    tracemalloc.start()
    whole()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    content = report.content
    backend = engine.url.get_backend_name()
    size = lambda p: f"{p.stat().st_size / 2**10:,.0f} KiB"  # noqa: E731
    print(f"backend                      : {backend}")
    print(f"communes / plans             : {summary.units} / {summary.plans}")
    print(f"items / status updates       : {summary.items} / {summary.updates}")
    print(f"demo build (all)             : {build_s:.2f} s")
    print(f"period / cut-off             : {period.key} / {period.cutoff:%d/%m/%Y}")
    print(f"report rows                  : {content.total:,} milestone rows, {len(content.overdue):,} overdue, "
          f"{content.done_count:,} done, {len(report.units)} units")
    print(f"baseline: status run         : {base_s * 1000:.0f} ms  ({len(status.rows):,} rows)")
    print(f"province report: compile     : {compile_s * 1000:.0f} ms  = {compile_s / base_s:.1f}x baseline"
          f"  (status runs at this and the previous cut-off)")
    print(f"                 .docx       : {docx_s * 1000:.0f} ms  ({size(files.docx)}, chart included)")
    print(f"                 .xlsx       : {xlsx_s * 1000:.0f} ms  ({size(files.xlsx)})")
    print(f"                 markdown    : {md_s * 1000:.0f} ms")
    print(f"                 whole build : {whole_s * 1000:.0f} ms  = {whole_s / base_s:.1f}x baseline")
    print(f"whole build peak memory      : {peak / 2**20:.1f} MiB (tracemalloc)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--as-of", default="2027-06-30", help="day the demo statuses are drawn up to")
    parser.add_argument("--period", default="2027-H1", help="report period (default 6 tháng 2027, cut-off 14/06/2027)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (a temporary schema is used)")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "out"
        bench(Path(home) / "sqlite", None, args.communes, as_of, args.period, args.repeat, out)
        if args.postgres:
            with postgres_schema(args.postgres) as url:
                bench(Path(home) / "postgres", url, args.communes, as_of, args.period, args.repeat, out)


if __name__ == "__main__":
    main()

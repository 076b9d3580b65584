"""One day's reminder/escalation computation over a province, beside the status run.

Builds the demo dataset (N communes) in a fresh SQLite database, then times, for
several days of the plan, :func:`dondoc.usecases.chasing.plan_actions` over every item
(what a day's chasing must work out before sending) beside the baseline measured
in the same run: the status run over the same data.

    python bench/bench_chasing.py --communes 130
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app  # noqa: E402
from dondoc.usecases.chasing import plan_actions  # noqa: E402

DAYS = [date(2026, 7, 1), date(2026, 12, 30), date(2027, 4, 6), date(2027, 7, 14)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        app = bench_app(home)
        summary = app.build_demo(communes=args.communes, seed=2026, as_of=date(2027, 6, 30), province="Tỉnh Thanh Hóa")
        print(f"communes / items       : {summary.units} / {summary.items}")
        for day in DAYS:
            chase_times, status_times, count = [], [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                count = len(plan_actions(app, day))
                chase_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                app.status(day)
                status_times.append(time.perf_counter() - start)
            c, s = statistics.median(chase_times), statistics.median(status_times)
            print(f"{day}: day's chasing {c * 1000:6.0f} ms ({count:5d} messages due)  "
                  f"status run (baseline) {s * 1000:6.0f} ms  = {c / s:.2f}x")


if __name__ == "__main__":
    main()

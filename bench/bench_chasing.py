"""One day's reminder/escalation computation over a province, beside the status run.

Builds the demo dataset (N communes) in a fresh SQLite database, then times, for
several days of the plan, :func:`dondoc.chasing.plan_actions` over every item
(what a day's chasing must work out before sending) beside the baseline measured
in the same run: the status run over the same data.

    python bench/bench_chasing.py --communes 130
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dondoc.chasing import load_policy, plan_actions  # noqa: E402
from dondoc.configuration import load_config  # noqa: E402
from dondoc.db import get_engine, migrate  # noqa: E402
from dondoc.demo import build_demo  # noqa: E402
from dondoc.schedule import work_calendar  # noqa: E402
from dondoc.settings import get_settings  # noqa: E402
from dondoc.statusrun import run_status  # noqa: E402

DAYS = [date(2026, 7, 1), date(2026, 12, 30), date(2027, 4, 6), date(2027, 7, 14)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["DONDOC_HOME"] = home
        get_settings.cache_clear()
        settings, config = get_settings(), load_config()
        engine = get_engine(f"sqlite:///{home}/bench.db")
        migrate(engine)
        summary = build_demo(engine, communes=args.communes, seed=2026, as_of=date(2027, 6, 30),
                             province="Tỉnh Thanh Hóa", config=config, settings=settings)
        calendar, policy = work_calendar(config, settings), load_policy(settings)
        print(f"communes / items       : {summary.units} / {summary.items}")
        for day in DAYS:
            chase_times, status_times, count = [], [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                count = len(plan_actions(engine, day, item_ids=None, policy=policy, calendar=calendar))
                chase_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                run_status(engine, day, calendar, due_soon_working_days=settings.due_soon_working_days)
                status_times.append(time.perf_counter() - start)
            c, s = statistics.median(chase_times), statistics.median(status_times)
            print(f"{day}: day's chasing {c * 1000:6.0f} ms ({count:5d} messages due)  "
                  f"status run (baseline) {s * 1000:6.0f} ms  = {c / s:.2f}x")


if __name__ == "__main__":
    main()

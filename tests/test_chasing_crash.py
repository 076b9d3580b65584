"""A chasing run killed in the middle of sending: run again, and every message is in the outbox once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import select

from conftest import PLAN_001, ROOT, seed_path
from dondoc.chasing import chase, load_policy, plan_actions
from dondoc.configuration import load_config
from dondoc.db import read_session
from dondoc.importer import parse_plan_file
from dondoc.models import ChaseEntry
from dondoc.plans import import_plan
from dondoc.schedule import work_calendar
from dondoc.settings import get_settings

DAY = date(2026, 12, 30)  # the yearly items' 31/12 reminders, and item 37 still escalating

CHILD = """
import sys, time
from datetime import datetime, time as clock
from zoneinfo import ZoneInfo
import notifications.outbox as outbox
from dondoc.chasing import chase, load_policy
from dondoc.configuration import load_config
from dondoc.db import get_engine
from dondoc.schedule import work_calendar
from dondoc.settings import get_settings

slow = outbox._atomic_write
def paced(path, data):
    slow(path, data)
    time.sleep(0.01)
outbox._atomic_write = paced
settings = get_settings()
as_of = datetime.combine(datetime.fromisoformat(sys.argv[1]).date(), clock(8), tzinfo=ZoneInfo(settings.timezone))
chase(get_engine(), as_of, policy=load_policy(settings), calendar=work_calendar(load_config(), settings))
"""


def _outbox(home: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((home / "outbox").glob("*.json"))]


def test_killed_run_resumes_without_duplicates(sqlite_engine, tmp_path):
    settings, config = get_settings(), load_config()
    import_plan(sqlite_engine, parse_plan_file(seed_path(PLAN_001)), unit_name="Xã Ngọc Liên", config=config, settings=settings)
    policy, calendar = load_policy(settings), work_calendar(config, settings)
    actions = plan_actions(sqlite_engine, DAY, item_ids=None, policy=policy, calendar=calendar)
    expected = {a.key for a in actions if not a.digest}  # leaders' levels wait for the digest
    assert len(expected) >= 30

    home = settings.home_path
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, DAY.isoformat()], env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if len(list((home / "outbox").glob("*.json"))) >= len(expected) // 3:
                break
            time.sleep(0.02)
        assert child.poll() is None, "the run finished before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    written = len(_outbox(home))
    assert 0 < written < len(expected)

    from datetime import datetime, time as clock
    from zoneinfo import ZoneInfo

    chase(sqlite_engine, datetime.combine(DAY, clock(8), tzinfo=ZoneInfo(settings.timezone)), policy=policy, calendar=calendar)
    records = _outbox(home)
    per_message = Counter((r["ledger_key"], r["person"]) for r in records)
    assert max(per_message.values()) == 1
    assert {key for key, _person in per_message} == expected
    with read_session(sqlite_engine) as s:
        states = Counter(s.scalars(select(ChaseEntry.state)))
    assert states == {"sent": len(expected), "digest": len(actions) - len(expected)}

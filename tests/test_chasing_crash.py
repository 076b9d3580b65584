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
from dondoc.storage.db import read_session
from dondoc.storage.delivery_log import ChaseEntry
from dondoc.usecases.chasing import plan_actions

DAY = date(2026, 12, 30)  # the yearly items' 31/12 reminders, and item 37 still escalating

CHILD = """
import sys, time
from datetime import datetime, time as clock
from zoneinfo import ZoneInfo
import notifications.outbox as outbox
from dondoc.app import Dondoc
from dondoc.settings import get_settings

slow = outbox._atomic_write
def paced(path, data):
    slow(path, data)
    time.sleep(0.01)
outbox._atomic_write = paced
settings = get_settings()
as_of = datetime.combine(datetime.fromisoformat(sys.argv[1]).date(), clock(8), tzinfo=ZoneInfo(settings.timezone))
Dondoc.build(settings).chase(as_of)
"""


def _outbox(home: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((home / "outbox").glob("*.json"))]


def test_killed_run_resumes_without_duplicates(sqlite_app, tmp_path):
    app, settings = sqlite_app, sqlite_app.settings
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    actions = plan_actions(app, DAY)
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

    app.chase(datetime.combine(DAY, clock(8), tzinfo=ZoneInfo(settings.timezone)))
    records = _outbox(home)
    per_message = Counter((r["ledger_key"], r["person"]) for r in records)
    assert max(per_message.values()) == 1
    assert {key for key, _person in per_message} == expected
    with read_session(app.engine) as s:
        states = Counter(s.scalars(select(ChaseEntry.state)))
    assert states == {"sent": len(expected), "digest": len(actions) - len(expected)}

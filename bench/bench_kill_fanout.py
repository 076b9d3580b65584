"""A fan-out killed with SIGKILL at random moments, then finished: no message lost, and any copy sent again
carries the same Message-ID (so mail programs show it once).

A child process sends N messages (one per person, email only) through the one send path
to a local aiosmtpd server; it is killed with SIGKILL after a random share of what is left
was taken by the server, K times, each new child resuming from the ledger; a last child
finishes. Prints one JSON line:
``{"messages", "kills", "received", "misses", "duplicates", "duplicates_with_new_id", "seconds"}``.

    python bench/bench_kill_fanout.py [--messages 2000] [--kills 20] [--postgres URL] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import sys
from datetime import datetime
from dondoc.app import Dondoc
from dondoc.settings import get_settings
from dondoc.usecases.sending import Outgoing, send_once
from notifications.messages import test_message

n = int(sys.argv[1])
app = Dondoc.build(get_settings())
def build(key):
    return test_message(person_name="Cán bộ", channel="email", ledger_key=key, public_url=app.public_url)
batch = [Outgoing(f"nudge:fan-out:{i}", "nudge", [f"person:p{i}"], build) for i in range(n)]
send_once(app, app.local(datetime(2026, 3, 16, 8, 0)), batch)
"""


def run(messages: int, kills: int, home: Path, url: str | None = None, seed: int = 1) -> dict:
    from dondoc.app import Dondoc
    from dondoc.settings import Settings
    from notifications.testing import LocalSMTP

    rng = random.Random(seed)
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    people = "\n".join(f"  - {{id: p{i}, name: Cán bộ {i}, email: p{i}@fan.test}}" for i in range(messages))
    (config / "people.yaml").write_text(f"default_channels: [email]\npeople:\n{people}\n", encoding="utf-8")
    database = url or f"sqlite:///{home / 'fanout.db'}"
    Dondoc.build(Settings(home=home, database_url=database), migrate=True)
    started = time.perf_counter()
    with LocalSMTP() as server:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DONDOC_HOME": str(home), "DONDOC_DATABASE_URL": database,
               "DONDOC_CONFIG_DIR": str(config), "DONDOC_SMTP_URL": server.url, "DONDOC_NOTIFY_RETRIES": "1"}
        done_kills = 0
        for _ in range(kills):
            before = len(server.received)
            left = messages - len({r.rcpt_tos[0] for r in server.received})
            if left <= 1:
                break
            target = before + rng.randint(1, max(1, left // 2))
            child = subprocess.Popen([sys.executable, "-c", CHILD, str(messages)], env=env, cwd=ROOT)
            while child.poll() is None and len(server.received) < target:
                time.sleep(0.002)
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                done_kills += 1
            child.wait()
        subprocess.run([sys.executable, "-c", CHILD, str(messages)], env=env, cwd=ROOT, check=True)
        ids: dict[str, list[str]] = defaultdict(list)
        for received in server.received:
            for to in received.rcpt_tos:
                ids[to].append(received.message["Message-ID"])
    wanted = {f"p{i}@fan.test" for i in range(messages)}
    return {
        "messages": messages,
        "kills": done_kills,
        "received": sum(len(v) for v in ids.values()),
        "misses": len(wanted - set(ids)),
        "duplicates": sum(len(v) - 1 for v in ids.values()),
        "duplicates_with_new_id": sum(len(set(v)) - 1 for v in ids.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--postgres", help="PostgreSQL URL (a throw-away schema is used)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            from benchlib import postgres_schema

            with postgres_schema(args.postgres) as url:
                result = run(args.messages, args.kills, Path(tmp), url, args.seed)
        else:
            result = run(args.messages, args.kills, Path(tmp), None, args.seed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Email throughput: 1,000 reminders through ``notifications.send`` to a local SMTP server, beside a baseline.

Starts an aiosmtpd server in its own process on a free localhost port (no message
leaves the machine; a real mail server is another process too), then measures:
  - the baseline, in the same run: plain ``smtplib`` on one connection sending a
    minimal text message per recipient (no template, no MIME alternative, no log);
  - Đôn Đốc: a Dispatcher rendering each reminder from its template (text + HTML,
    encoded subject, cc), sending it on its kept-open connection, and writing the
    message row and one delivery-log row per attempt to a fresh SQLite database
    (or PostgreSQL with --postgres URL); once one by one with send(), once with
    send_many() over --workers connections (how a reminder run sends).

    python bench/bench_email.py [--messages 1000] [--workers 1] [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from email.mime.text import MIMEText
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app  # noqa: E402
from dondoc.configuration import PeopleConfig, Person  # noqa: E402
from notifications.messages import ItemRef, reminder  # noqa: E402


def baseline(port: int, count: int) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            message = MIMEText(f"Nhắc việc số {n}", "plain", "utf-8")
            message["Subject"] = f"Nhắc việc {n}"
            message["From"] = "dondoc@example.vn"
            message["To"] = f"office{n % 50}@example.vn"
            smtp.send_message(message)
    return time.perf_counter() - start


def dondoc_run(home: Path, url: str | None, count: int, workers: int, port: int) -> float:
    app = bench_app(home, url, smtp_url=f"smtp://127.0.0.1:{port}?security=none", notify_retry_delay=0)
    people = PeopleConfig(people=[
        Person(id=f"office-{k}", name=f"Trưởng phòng số {k}", office=f"Phòng số {k}", head=True,
               email=f"office{k}@example.vn", channels=["email"])
        for k in range(50)
    ])
    jobs = []
    for n in range(count):
        item = ItemRef(plan="xa-ngoc-lien-2026-2030", number=str(n % 62 + 1),
                       content="Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của xã",
                       due=date(2026, 3, 31) + timedelta(days=n % 90), lead_offices=[f"Phòng số {n % 50}"],
                       cooperating_offices=[f"Phòng số {(n + 1) % 50}"])
        message = reminder(item, days_left=n % 6, ledger_key=f"bench:{n}", public_url="https://dondoc.example.vn")
        jobs.append((message, [f"office-{n % 50}"], [f"office:Phòng số {(n + 1) % 50}"]))
    start = time.perf_counter()
    with app.dispatcher(people=people) as dispatcher:
        if workers == 0:  # one by one, each send() waiting for its log rows
            reports = [dispatcher.send(m, r, cc=c) for m, r, c in jobs]
        else:
            reports = dispatcher.send_many(jobs, workers=workers)
    failed = [r for r in reports if not r.ok]
    if failed:
        raise SystemExit(f"{len(failed)} sends failed: {failed[0].outcomes}")
    return time.perf_counter() - start


SERVER = """
import sys
from notifications.testing import LocalSMTP
with LocalSMTP(keep=False) as server:
    print(server.port, flush=True)
    sys.stdin.readline()
    print(server.count, flush=True)
"""


def start_server() -> tuple[subprocess.Popen, int]:
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    return process, int(process.stdout.readline())


def stop_server(process: subprocess.Popen) -> int:
    process.stdin.write("stop\n")
    process.stdin.flush()
    count = int(process.stdout.readline())
    process.wait(timeout=10)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is reported")
    parser.add_argument("--workers", type=int, default=1, help="connections for Dispatcher.send_many")
    parser.add_argument("--postgres", help="PostgreSQL URL for the delivery log instead of a fresh SQLite file")
    args = parser.parse_args()
    n = args.messages
    times: dict[str, list[float]] = {"baseline": [], "send": [], "send_many": []}
    server, port = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(args.rounds):
                times["baseline"].append(baseline(port, n))
                times["send"].append(dondoc_run(Path(tmp) / f"a{round_}", args.postgres, n, 0, port))
                times["send_many"].append(dondoc_run(Path(tmp) / f"b{round_}", args.postgres, n, args.workers, port))
    finally:
        received = stop_server(server)
    backend = "postgresql" if args.postgres else "sqlite"
    best = {k: min(v) for k, v in times.items()}
    print(f"messages: {n} per run, {args.rounds} interleaved rounds (best shown); server received {received}")
    print(f"baseline  plain smtplib, one connection, no log:   {n / best['baseline']:6.0f} msg/s")
    for key, label in (("send", "send() one by one"), ("send_many", f"send_many(), {args.workers} connection(s)")):
        ratios = sorted(b / o for b, o in zip(times["baseline"], times[key]))
        print(f"Đôn Đốc   {label:28s} log on {backend:6s}: {n / best[key]:6.0f} msg/s  "
              f"ratio {best['baseline'] / best[key]:.2f} (per round: {', '.join(f'{r:.2f}' for r in ratios)})")
    print("each Đôn Đốc message: template (text + HTML), MIME, encoded subject, cc, message + delivery-log rows")

if __name__ == "__main__":
    main()

"""Email throughput: 1,000 reminders to a local SMTP server through the send path, beside a baseline.

Starts an aiosmtpd server in its own process on a free localhost port (no message
leaves the machine; a real mail server is another process too), then measures:
  - the baseline, in the same run: plain ``smtplib`` on one connection sending a
    minimal text message per recipient (no template, no MIME alternative, no log);
  - Đôn Đốc: the dispatcher alone rendering each reminder from its template (text +
    HTML, encoded subject), sending it on its kept-open connection and writing one
    attempt row; then the whole send path as a chase uses it (send_once: each message
    recorded with its person, each delivery claimed, sent and marked), on a fresh
    SQLite database (or PostgreSQL with --postgres URL).
  - with --closed-port: the send path against a port nothing listens on (a dead mail
    server): how long until every message is marked failed, to be tried again.

    python bench/bench_email.py [--messages 1000] [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
    python bench/bench_email.py --closed-port --messages 2000
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from email.mime.text import MIMEText
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app  # noqa: E402
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


def _people_file(home: Path) -> Path:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    lines = [f"  - {{id: office-{k}, name: Trưởng phòng số {k}, office: Phòng số {k}, head: true, "
             f"email: office{k}@example.vn, channels: [email]}}" for k in range(50)]
    (config / "people.yaml").write_text("people:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return config


def _messages(count: int) -> list:
    messages = []
    for n in range(count):
        item = ItemRef(plan="xa-ngoc-lien-2026-2030", number=str(n % 62 + 1),
                       content="Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của xã",
                       due=date(2026, 3, 31) + timedelta(days=n % 90), lead_offices=[f"Phòng số {n % 50}"],
                       cooperating_offices=[f"Phòng số {(n + 1) % 50}"])
        messages.append(reminder(item, days_left=n % 6, ledger_key=f"bench:{n}", public_url="https://dondoc.example.vn"))
    return messages


def dondoc_run(home: Path, url: str | None, count: int, mode: str, port: int) -> tuple[float, dict]:
    """``send``: the dispatcher alone (render, MIME, send, attempt log); ``send_once``: the whole send path
    (record each message with its person, claim, send, mark the delivery state)."""
    from dondoc.usecases.sending import Outgoing, send_once

    app = bench_app(home, url, smtp_url=f"smtp://127.0.0.1:{port}?security=none", notify_retry_delay=0,
                    config_dir=_people_file(home))
    messages = _messages(count)
    start = time.perf_counter()
    if mode == "send":
        with app.dispatcher() as dispatcher:
            reports = [dispatcher.send(m, [f"office-{n % 50}"]) for n, m in enumerate(messages)]
        failed = sum(not r.ok for r in reports)
        outcome = {"sent": count - failed, "failed": failed}
    else:
        batch = [Outgoing(m.ledger_key, "nudge", [f"person:office-{n % 50}"], (lambda key, m=m: m))
                 for n, m in enumerate(messages)]
        tally = send_once(app, app.local(datetime(2026, 3, 16, 8, 0)), batch)
        outcome = {"sent": tally.sent, "failed": tally.failed}
    return time.perf_counter() - start, outcome


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


def closed_port(count: int, url: str | None) -> None:
    """The whole send path against a port nothing listens on: how long until every message is failed (to retry)."""
    with tempfile.TemporaryDirectory() as tmp:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        seconds, outcome = dondoc_run(Path(tmp), url, count, "send_once", port)
    print(f"closed port: {count} messages in {seconds:.1f} s ({outcome['failed']} failed, to be tried again; "
          f"{outcome['sent']} sent)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is reported")
    parser.add_argument("--postgres", help="PostgreSQL URL for the ledger and log instead of a fresh SQLite file")
    parser.add_argument("--closed-port", action="store_true", help="only: the send path against a closed port")
    args = parser.parse_args()
    n = args.messages
    if args.closed_port:
        return closed_port(n, args.postgres)
    times: dict[str, list[float]] = {"baseline": [], "send": [], "send_once": []}
    server, port = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(args.rounds):
                times["baseline"].append(baseline(port, n))
                for mode in ("send", "send_once"):
                    seconds, outcome = dondoc_run(Path(tmp) / f"{mode}{round_}", args.postgres, n, mode, port)
                    if outcome["failed"]:
                        raise SystemExit(f"{outcome['failed']} of {n} messages failed")
                    times[mode].append(seconds)
    finally:
        received = stop_server(server)
    backend = "postgresql" if args.postgres else "sqlite"
    best = {k: min(v) for k, v in times.items()}
    print(f"messages: {n} per run, {args.rounds} interleaved rounds (best shown); server received {received}")
    print(f"baseline  plain smtplib, one connection, no log:       {n / best['baseline']:6.0f} msg/s")
    for key, label in (("send", "dispatcher alone"), ("send_once", "send path with delivery states")):
        ratios = sorted(b / o for b, o in zip(times["baseline"], times[key]))
        print(f"Đôn Đốc   {label:30s} on {backend:10s}: {n / best[key]:6.0f} msg/s  "
              f"ratio {best['baseline'] / best[key]:.2f} (per round: {', '.join(f'{r:.2f}' for r in ratios)})")
    print("each Đôn Đốc message: template (text + HTML), MIME, encoded subject, attempt row; the send path also "
          "records it with its person, claims and marks the delivery")


if __name__ == "__main__":
    main()

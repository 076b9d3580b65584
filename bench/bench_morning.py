"""The busiest morning of a province, replayed with a fixed clock: time from 08:00 to the last message delivered.

Builds ``--communes N`` demo communes (``dondoc demo-data``) in a fresh data directory, gives every commune
its people (the Chủ tịch and the head of every office, email only) and points ``DONDOC_SMTP_URL`` at a local
mail sink in its own process, so "delivered" means the mail server took the message. The morning is
``--day`` at the policy's send time (by default the day with the most item runs among the busiest mornings of
the demo data: 17/12, 28/12, 30/12, 31/12/2026), and in the same run:

  - baseline: the set-based chase of that morning in one process, ``dondoc chase --at "<day> 08:00" --json``,
    on a copy of the same database;
  - the Prefect path: a real Prefect server (``--prefect-db postgres``: a database of its own on the local
    PostgreSQL server, dropped afterwards; ``sqlite``: under the temporary directory), ``dondoc sync`` of the
    items, then one item flow run per item due that morning (what the item's schedule starts), all scheduled at
    the same moment with ``as_of`` fixed to that 08:00, created while the work pool is paused (after the sync, the
    server's scheduler first makes the deployments' future runs, as a server up since the last sync holds them;
    ``--settle 0`` skips that wait); ``--workers K``
    ``dondoc worker`` processes (each with the product's concurrency limit) are started, and the pool is
    resumed: that moment is "08:00".

For each: time to the last message the sink received, runs per minute, CPU seconds (the worker processes and
every flow-run process they start, read from /proc; the baseline's from the kernel when it exits), crashed or
failed runs, messages delivered and duplicates (the same Message-ID received twice by one address).

    python bench/bench_morning.py [--communes 3] [--workers 1] [--prefect-db postgres|sqlite]
        [--dondoc-db sqlite|postgres] [--day 2026-12-31] [--no-sweep] [--json]

The runs carry ``sweep`` as the item's schedule sets it: the first run of the morning sends every item's
messages set-based. ``--no-sweep`` starts them as runs made by hand (each sends only its own item's).

The local PostgreSQL server is ``--postgres`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, used
only to create and drop this run's own databases).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DONDOC = [str(Path(sys.executable).with_name("dondoc"))]
BUSIEST = ["2026-12-17", "2026-12-28", "2026-12-30", "2026-12-31"]
TAG = "bench:morning"
TERMINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
TICK = os.sysconf("SC_CLK_TCK")

# The people of every demo commune: the Chủ tịch (every area, so area escalations reach a person) and the
# head of every canonical office of a commune; email only.
OFFICES = [
    ("vp", "Văn phòng HĐND và UBND xã"), ("vhxh", "Phòng Văn hóa - Xã hội"), ("kt", "Phòng Kinh tế"),
    ("hcc", "Trung tâm Phục vụ hành chính công"), ("cudv", "Trung tâm Cung ứng dịch vụ công"),
    ("ca", "Công an xã"), ("da06", "Tổ công tác Đề án 06"), ("yt", "Trạm Y tế"),
    ("gd", "Các đơn vị sự nghiệp giáo dục"),
]


def people_yaml(slug: str) -> str:
    chair = (f"  - {{id: ct, name: Chủ tịch {slug}, role: Chủ tịch UBND xã, tags: [leadership, chu-tich], "
             f"areas: ['I', 'II', 'III', 'IV', 'V', 'VI'], email: ct.{slug}@bench.test, channels: [email]}}")
    lines = ["default_channels: [email]", "people:", chair]
    for key, office in OFFICES:
        lines.append(f"  - {{id: {key}, name: Trưởng {key} {slug}, role: Trưởng, office: {office}, head: true, "
                     f"email: {key}.{slug}@bench.test, channels: [email]}}")
    return "\n".join(lines) + "\n"


# -- the mail sink: its own process, one JSON line per (message, recipient) with the time it was taken --------

def run_sink(out: str) -> None:
    import email as email_lib
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self) -> None:
            self.file = open(out, "a", encoding="utf-8")  # noqa: SIM115 - open for the sink's life

        async def handle_DATA(self, server, session, envelope):
            message = email_lib.message_from_bytes(envelope.content)
            now = time.time()
            for rcpt in envelope.rcpt_tos:
                self.file.write(json.dumps({"t": now, "to": rcpt.lower(), "id": message.get("Message-ID", "")}) + "\n")
            self.file.flush()
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    sys.stdin.readline()  # until the bench closes our stdin
    controller.stop()


class MailSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.process = subprocess.Popen([sys.executable, __file__, "--smtp-sink", str(path)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.port = int(self.process.stdout.readline())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?security=none"

    def received(self) -> list[dict]:
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def mail_figures(rows: list[dict], start: float) -> dict:
    keys = Counter((r["id"], r["to"]) for r in rows)
    return {"messages": len(keys), "received": len(rows), "duplicates": sum(n - 1 for n in keys.values() if n > 1),
            "last_delivery_s": round(max(r["t"] for r in rows) - start, 1) if rows else None,
            "first_delivery_s": round(min(r["t"] for r in rows) - start, 1) if rows else None}


# -- CPU from /proc ---------------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and of its children it has waited for)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), sum(int(f) for f in fields[11:15])  # ppid; utime stime cutime cstime


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds of the processes under ``roots``: the live ones and every child they have waited for."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found:
                stats[int(entry)] = found
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [r for r in roots if r in stats]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total / TICK


def machine_busy() -> float:
    """CPU seconds the whole machine spent not idle (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


# -- databases --------------------------------------------------------------------------------------------

class Postgres:
    """Databases of this run on the local server, dropped at the end."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self.names.append(name)
        return name

    def url(self, name: str, driver: str) -> str:
        return self.admin.url.set(drivername=driver, database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in reversed(self.names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def messages_outside(url: str, items: list[int]) -> int:
    """Messages (per person) the ledger holds for items other than ``items``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select l.item_id, count(r.id) from chase_ledger l "
                                     "join ledger_recipients r on r.entry_id = l.id group by l.item_id")).all()
        chosen = set(items)
        return sum(n for item, n in rows if item not in chosen)
    finally:
        engine.dispose()


def ledger_states(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("select state, count(*) from ledger_recipients group by state")).all())
    finally:
        engine.dispose()


# -- the morning ------------------------------------------------------------------------------------------

def due_items(url: str, home: Path, days: list[date]) -> dict[date, list[int]]:
    """Per day: the items whose schedule runs that day (their checkpoints, as ``dondoc sync`` writes them)."""
    from benchlib import bench_app

    app = bench_app(home, url)
    try:
        found = {}
        for day in days:
            checkpoints = app.checkpoints(day, day, as_of=day)
            found[day] = sorted(item for item, moments in checkpoints.items() if moments)
        return found
    finally:
        app.engine.dispose()


def setup(args, home: Path, url: str, env: dict) -> dict:
    started = time.perf_counter()
    subprocess.run([*DONDOC, "demo-data", "--communes", str(args.communes), "--as-of", args.as_of], env=env,
                   check=True, capture_output=True, cwd=ROOT)
    from benchlib import bench_app
    from sqlalchemy import func, select

    from dondoc.storage.models import Item, Plan, Unit

    app = bench_app(home, url)
    try:
        with app.session() as session:
            units = session.execute(select(Unit.name, Unit.slug).where(Unit.id.in_(select(Plan.unit_id)))).all()
        folder = home / "people"
        folder.mkdir(parents=True, exist_ok=True)
        for name, slug in units:
            path = folder / f"{slug}.yaml"
            path.write_text(people_yaml(slug), encoding="utf-8")
            app.import_people(path, unit=name)
        with app.session() as session:
            items = session.scalar(select(func.count()).select_from(Item).where(Item.removed_at.is_(None)))
    finally:
        app.engine.dispose()
    return {"units": len(units), "seconds": round(time.perf_counter() - started, 1), "items": items}


def copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def baseline(env: dict, moment: str, sink: MailSink, url: str, out: Path) -> dict:
    start = time.time()
    with open(out, "wb") as stdout:
        process = subprocess.Popen([*DONDOC, "chase", "--at", moment, "--json"], env=env, cwd=ROOT,
                                   stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.time() - start
    code = os.waitstatus_to_exitcode(status)
    err = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    process.returncode = code
    if code:
        raise SystemExit(f"dondoc chase failed ({code}):\n{err[-3000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    time.sleep(0.5)  # let the sink write down the last message it took
    figures = mail_figures(sink.received(), start)
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "sent": result["sent"],
            "failed": result["failed"], "digested": result.get("digested"), **figures, "ledger": ledger_states(url)}


async def _api(call, *args, **kwargs):
    """A Prefect call retried while the server is busy (the bench must not fail where a worker would wait)."""
    for attempt in range(30):
        try:
            return await call(*args, **kwargs)
        except Exception:
            if attempt == 29:
                raise
            await asyncio.sleep(1)


async def create_runs(api: str, pool: str, items: list[int], as_of: str, concurrency: int,
                      sweep: bool = True) -> tuple[int, float]:
    """Pause the pool, create one scheduled item flow run per item (due now, ``as_of`` fixed, ``sweep`` as the
    item's schedule sets it); the pool stays paused."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate
    from prefect.states import Scheduled

    from dondoc.orchestration.sync import read_item_deployments

    started = time.perf_counter()
    async with get_client() as client:
        await _api(client.update_work_pool, pool, WorkPoolUpdate(is_paused=True))
        deployments = {d.parameters["item_id"]: d.id for d in (await read_item_deployments(client)).values()}
        missing = [i for i in items if i not in deployments]
        if missing:
            raise SystemExit(f"{len(missing)} due items have no deployment: {missing[:10]}")
        now = datetime.now(UTC)
        gate = asyncio.Semaphore(concurrency)

        async def one(item: int):
            async with gate:
                return await _api(client.create_flow_run_from_deployment, deployments[item],
                                  parameters={"item_id": item, "as_of": as_of, "sweep": sweep},
                                  state=Scheduled(scheduled_time=now),
                                  tags=[TAG])

        runs = await asyncio.gather(*(one(i) for i in items))
    return len(runs), time.perf_counter() - started


async def _resume(pool: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate

    async with get_client() as client:
        await _api(client.update_work_pool, pool, WorkPoolUpdate(is_paused=False))


def _filter(*, terminal: bool | None = None):
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )

    state = None
    if terminal is not None:
        types = FlowRunFilterStateType(any_=list(TERMINAL)) if terminal else FlowRunFilterStateType(not_any_=list(TERMINAL))
        state = FlowRunFilterState(type=types)
    return FlowRunFilter(tags=FlowRunFilterTags(all_=[TAG]), state=state)


async def _count(open_only: bool) -> int:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await _api(client.count_flow_runs, flow_run_filter=_filter(terminal=False if open_only else None))


async def _read_all() -> list:
    from prefect.client.orchestration import get_client

    runs, offset = [], 0
    async with get_client() as client:
        while True:
            page = await _api(client.read_flow_runs, flow_run_filter=_filter(), limit=200, offset=offset)
            runs.extend(page)
            if len(page) < 200:
                return runs
            offset += 200


async def _workers_online(pool: str) -> int:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        workers = await _api(client.read_workers_for_work_pool, pool)
        return sum(1 for w in workers if str(getattr(w.status, "value", w.status)).upper() == "ONLINE")


async def _scheduled_count() -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )

    async with get_client() as client:
        return await _api(client.count_flow_runs, flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=["SCHEDULED"]))))


def settle_scheduler(limit: float) -> tuple[int, float]:
    """Wait until the server's scheduler has made the deployments' future runs (as a server up since the last
    sync holds them): the count of scheduled runs rose and then stayed the same for longer than its loop (60 s)."""
    started, last, changed = time.perf_counter(), -1, time.perf_counter()
    while time.perf_counter() - started < limit:
        count = asyncio.run(_scheduled_count())
        if count != last:
            last, changed = count, time.perf_counter()
        elif count > 0 and time.perf_counter() - changed > 65:
            break
        time.sleep(5)
    return last, time.perf_counter() - started


def prefect_path(args, *, home: Path, tmp: Path, env: dict, url: str, items: list[int], as_of: str,
                 pg: Postgres | None, sink: MailSink, expected: int | None = None) -> dict:
    from dondoc.orchestration.prefect_server import LocalServer, free_port, using
    from dondoc.settings import Settings

    pool = Settings(home=home).prefect_pool
    extra = {}
    if args.prefect_db == "postgres":
        name = pg.create(f"bench_prefect_{os.getpid()}")
        extra["PREFECT_API_DATABASE_CONNECTION_URL"] = pg.url(name, "postgresql+asyncpg")
    started = time.perf_counter()
    server = LocalServer(tmp / "prefect-server", port=free_port(0), extra_env=extra,
                         api_workers=args.api_workers).start(timeout=240)
    out: dict = {"server_start_s": round(time.perf_counter() - started, 1)}
    workers = []
    try:
        env = {**env, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(tmp / "prefect-client")}
        env.setdefault("DONDOC_SYNC_CONCURRENCY", "8" if args.prefect_db == "postgres" else "1")
        started = time.perf_counter()
        synced = subprocess.run([*DONDOC, "sync", "--as-of", args.day, "--json"], env=env, cwd=ROOT,
                                capture_output=True, text=True, check=False)
        if synced.returncode:
            raise SystemExit(f"dondoc sync failed:\n{synced.stderr[-3000:]}")
        report = json.loads(synced.stdout)
        out["sync"] = {"seconds": round(time.perf_counter() - started, 1), "created": report.get("created"),
                       "scheduled": report.get("scheduled"), "checkpoints": report.get("checkpoints")}
        with using(server.api_url):
            if args.settle:
                count, waited = settle_scheduler(args.settle)
                out["scheduler"] = {"future_runs": count, "waited_s": round(waited, 1)}
            runs, seconds = asyncio.run(create_runs(server.api_url, pool, items, as_of,
                                                    8 if args.prefect_db == "postgres" else 2, not args.no_sweep))
            out["created"] = {"runs": runs, "seconds": round(seconds, 1)}
            from dondoc.orchestration.prefect_server import spawn

            started = time.perf_counter()
            command = [*DONDOC, "worker"] + (["--limit", str(args.limit)] if args.limit else [])
            for k in range(args.workers):
                workers.append(spawn(f"worker-{k}", command, env, tmp / f"worker-{k}.log"))
            deadline = time.monotonic() + 120
            while asyncio.run(_workers_online(pool)) < args.workers and time.monotonic() < deadline:
                if any(not w.running for w in workers):
                    raise SystemExit("a worker stopped:\n" + "\n".join(w.log_tail(30) for w in workers))
                time.sleep(1)
            time.sleep(3)  # the workers' first idle polls, outside the measurement
            roots = [w.process.pid for w in workers]
            out["worker_start"] = {"seconds": round(time.perf_counter() - started, 1),
                                   "cpu_s": round(tree_cpu(roots), 1)}
            cpu0, server0, busy0 = tree_cpu(roots), tree_cpu([c.process.pid for c in server.children]), machine_busy()
            t0 = time.time()
            asyncio.run(_resume(pool))
            finished, last_change, previous = None, time.time(), None
            delivered_at = None
            while time.time() - t0 < args.timeout:
                if args.until_delivered and expected and len({(r["id"], r["to"]) for r in sink.received()}) >= expected:
                    delivered_at = time.time()  # every message of the baseline is in: stop before the backlog ends
                    break
                open_runs = asyncio.run(_count(open_only=True))
                if open_runs != previous:
                    previous, last_change = open_runs, time.time()
                if open_runs == 0:
                    finished = time.time()
                    runs_now = asyncio.run(_read_all())
                    crashed = [r for r in runs_now if r.state and r.state.type.value == "CRASHED"
                               and "dondoc:recovered" not in (r.tags or [])]
                    # a crashed run is started again by the worker within a minute: wait for that generation
                    if not crashed or time.time() - last_change > 90:
                        break
                time.sleep(2)
            cpu1, server1, busy1 = tree_cpu(roots), tree_cpu([c.process.pid for c in server.children]), machine_busy()
            runs_all = asyncio.run(_read_all())
    finally:
        for worker in workers:
            worker.stop()
        server.stop()
    time.sleep(0.5)
    mail = mail_figures(sink.received(), t0)
    states = Counter(r.state.type.value if r.state else "NONE" for r in runs_all)
    reruns = [r for r in runs_all if "dondoc:rerun" in (r.tags or [])]
    originals = [r for r in runs_all if "dondoc:rerun" not in (r.tags or [])]
    durations = [r.total_run_time.total_seconds() for r in runs_all if r.total_run_time]
    starts = [(r.start_time.timestamp() - t0) for r in originals if r.start_time]
    bad = [f"{r.state.type.value}: {(r.state.message or '')[:200]}" for r in runs_all
           if r.state and r.state.type.value in ("FAILED", "CRASHED")]
    ends = [r.end_time.timestamp() for r in runs_all if r.end_time]
    elapsed = (max(ends) if finished and ends else finished or delivered_at or time.time()) - t0
    done = sum(1 for r in originals if r.state and r.state.type.value in TERMINAL)
    if delivered_at is not None:
        out["stopped_when_delivered_s"] = round(delivered_at - t0, 1)
    out.update({
        "runs": len(originals), "reruns": len(reruns), "states": dict(states), "finished": finished is not None,
        "all_runs_done_s": round(elapsed, 1) if finished else None, "runs_done": done,
        "runs_per_min": round(done / elapsed * 60, 1),
        "cpu_s": round(cpu1 - cpu0, 1), "cpu_s_per_run": round((cpu1 - cpu0) / max(done, 1), 2),
        "server_cpu_s": round(server1 - server0, 1), "machine_busy_cpu_s": round(busy1 - busy0, 1),
        "run_seconds_p50": round(statistics.median(durations), 1) if durations else None,
        "last_start_s": round(max(starts), 1) if starts else None,
        "crashed_or_failed": sum(1 for r in runs_all if r.state and r.state.type.value in ("FAILED", "CRASHED")),
        "problems": bad[:5], **mail, "ledger": ledger_states(url),
    })
    return out


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--smtp-sink":
        return run_sink(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="dondoc worker processes")
    parser.add_argument("--limit", type=int, default=None, help="dondoc worker --limit (default: the product's)")
    parser.add_argument("--prefect-db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--api-workers", type=int, default=1,
                        help="Prefect API processes (postgres only; Redis from PREFECT_REDIS_MESSAGING_*)")
    parser.add_argument("--dondoc-db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="the local PostgreSQL server (only to create and drop this run's databases)")
    parser.add_argument("--day", default=None, help="the morning (YYYY-MM-DD); default: the busiest of " + ", ".join(BUSIEST))
    parser.add_argument("--as-of", default="2026-06-30", help="status date of the demo data")
    parser.add_argument("--settle", type=float, default=180.0,
                        help="seconds at most to let the server's scheduler make the future runs after the sync (0: no wait)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds at most for the morning's runs")
    parser.add_argument("--until-delivered", action="store_true",
                        help="stop once every message of the baseline is delivered (runs still queued are counted, "
                             "not waited for): the delivery time of a morning too long to run to its end")
    parser.add_argument("--no-sweep", action="store_true",
                        help="runs without the morning's sweep (each run sends only its item's messages)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    pg = Postgres(args.postgres) if "postgres" in (args.prefect_db, args.dondoc_db) else None
    result: dict = {"communes": args.communes, "workers": args.workers, "prefect_db": args.prefect_db,
                    "api_workers": args.api_workers,
                    "dondoc_db": args.dondoc_db, "sweep": not args.no_sweep, "load": os.getloadavg()[0]}
    try:
        with tempfile.TemporaryDirectory(prefix="dondoc-bench-morning-") as tmp_name:
            tmp = Path(tmp_name)
            home, base_home = tmp / "home", tmp / "baseline-home"
            home.mkdir()
            if args.dondoc_db == "postgres":
                url = pg.url(pg.create(f"bench_dondoc_{os.getpid()}"), "postgresql+psycopg")
            else:
                url = f"sqlite:///{home / 'dondoc.db'}"
            clean = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "PREFECT_"))}
            env = {**clean, "DONDOC_HOME": str(home), "DONDOC_DATABASE_URL": url, "DONDOC_WEB_PORT": "0",
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_CLI_COLORS": "false"}
            result["setup"] = setup(args, home, url, env)

            days = [date.fromisoformat(d) for d in ([args.day] if args.day else BUSIEST)]
            due = due_items(url, home, days)
            result["candidates"] = {d.isoformat(): len(v) for d, v in due.items()}
            day = max(days, key=lambda d: len(due[d]))
            args.day = day.isoformat()
            from benchlib import bench_app

            app = bench_app(home, url)
            send_at = app.policy.send_at
            app.engine.dispose()
            moment = f"{args.day} {send_at:%H:%M}"
            as_of = f"{args.day}T{send_at:%H:%M}:00+07:00"
            result["morning"] = moment
            result["item_runs"] = len(due[day])

            # baseline on a copy of the same data, before anything else runs on the machine
            if args.dondoc_db == "postgres":
                base_url = pg.url(pg.create(f"bench_dondoc_base_{os.getpid()}", template=f"bench_dondoc_{os.getpid()}"),
                                  "postgresql+psycopg")
            else:
                copy_sqlite(home / "dondoc.db", base_home / "dondoc.db")
                base_url = f"sqlite:///{base_home / 'dondoc.db'}"
            sink = MailSink(tmp / "baseline-mail.jsonl")
            try:
                base_env = {**env, "DONDOC_HOME": str(base_home), "DONDOC_DATABASE_URL": base_url,
                            "DONDOC_SMTP_URL": sink.url}
                result["baseline"] = baseline(base_env, moment, sink, base_url, tmp / "chase.json")
                # the set-based chase also sends, once, the latest stage reached of items whose schedule does not
                # run that morning (a replay starts from an empty ledger): no item run of the morning sends those
                result["baseline"]["of_items_not_due"] = messages_outside(base_url, due[day])
            finally:
                sink.stop()

            base_keys = {(r["id"], r["to"]) for r in sink.received()}
            sink = MailSink(tmp / "prefect-mail.jsonl")
            try:
                result["prefect"] = prefect_path(args, home=home, tmp=tmp, env={**env, "DONDOC_SMTP_URL": sink.url},
                                                 url=url, items=due[day], as_of=as_of, pg=pg, sink=sink,
                                                 expected=result["baseline"]["messages"])
            finally:
                sink.stop()
            keys = {(r["id"], r["to"]) for r in sink.received()}
            # Message-IDs come from the ledger's stable keys, so both paths name the same messages alike
            result["prefect"]["vs_baseline"] = {"missing": len(base_keys - keys), "extra": len(keys - base_keys)}
    finally:
        if pg is not None:
            pg.drop_all()
    report(result, args.json)


def _ledger(states: dict[str, int]) -> str:
    return f"{states.get('delivered', 0)} / {sum(states.values()) - states.get('delivered', 0)}"


def report(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    b, p = result["baseline"], result["prefect"]
    print(f"{result['communes']} communes, the morning of {result['morning']}: {result['item_runs']} item runs "
          f"(busiest mornings: {result['candidates']}); Prefect on {result['prefect_db']}, "
          f"Đôn Đốc database on {result['dondoc_db']}, {result['workers']} worker(s), "
          f"{'with' if result['sweep'] else 'without'} the morning's sweep; load {result['load']:.1f} at the start")
    runs = result["item_runs"]
    base_time = b["last_delivery_s"] or b["wall_s"]
    rows = [
        ("item runs", f"{runs} in 1 process", f"{p['runs']} (+{p['reruns']} re-runs)"),
        ("… done when measured", runs, p["runs_done"]),
        ("messages delivered", b["messages"], p["messages"]),
        ("duplicates (same Message-ID)", b["duplicates"], p["duplicates"]),
        ("wall to last delivery, s", b["last_delivery_s"], p["last_delivery_s"]),
        ("wall to last run done, s", b["wall_s"], p["all_runs_done_s"]),
        ("item runs per minute", round(runs / base_time * 60, 1) if base_time else "—", p["runs_per_min"]),
        ("CPU-s in all", b["cpu_s"], p["cpu_s"]),
        ("CPU-s per item run", round(b["cpu_s"] / max(runs, 1), 3), p["cpu_s_per_run"]),
        ("crashed / failed runs", 0, p["crashed_or_failed"]),
        ("… of items not due that morning", b["of_items_not_due"], "—"),
        ("messages missing / extra vs baseline", "—", f"{p['vs_baseline']['missing']} / {p['vs_baseline']['extra']}"),
        ("ledger: delivered / other", _ledger(b["ledger"]), _ledger(p["ledger"])),
    ]
    width = max(len(str(r[0])) for r in rows)
    print(f"{'':{width}}  {'baseline: dondoc chase':>24}  {'Prefect path':>24}")
    for label, base, pref in rows:
        print(f"{label:{width}}  {base!s:>24}  {pref!s:>24}")
    print(f"Prefect: server start {p['server_start_s']} s, sync {p['sync']['seconds']} s, "
          f"runs created in {p['created']['seconds']} s, workers up in {p['worker_start']['seconds']} s "
          f"({p['worker_start']['cpu_s']} CPU-s); during the morning: server {p['server_cpu_s']} CPU-s, "
          f"machine {p['machine_busy_cpu_s']} CPU-s busy; a run takes {p['run_seconds_p50']} s (median), "
          f"the last started {p['last_start_s']} s after 08:00; states {p['states']}")
    for problem in p["problems"]:
        print("  " + problem)


if __name__ == "__main__":
    main()

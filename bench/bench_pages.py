"""The web tier under concurrent clients, beside the in-process build of the same pages in the same run.

Builds N demo communes under "Tỉnh Thanh Hóa" (or reuses a database built earlier with ``--reuse``), starts
the real web server as ``dondoc web`` in its own process (``--workers`` sets ``DONDOC_WEB_WORKERS``) and
measures, with C concurrent clients (threads, one HTTP session each):

  - the largest office page (the office with the most items, lead or cooperating): ``GET /o/<token>``;
  - the province's leadership page: ``GET /l/<token>`` of "Tỉnh Thanh Hóa";
  - a status report: ``POST /o/<token>/items/<id>`` (each client first opens an item page for its
    anti-forgery token), spread over the office's items;

each with p50/p95/max latency, requests per second and the CPU the server's processes used (cores busy).
The baseline is the same page built in-process (the application called without HTTP, one request at a time).
Then: the office feed of commune B, read warm, read again just after a status report written in commune A
by another process (the way the command line writes), and just after one written in commune B.

Every figure is printed with ``os.getloadavg()``: the machine may be shared.

    .venv/bin/python bench/bench_pages.py --communes 130 --clients 20 50 [--workers 2] [--postgres URL]
    .venv/bin/python bench/bench_pages.py --reuse /tmp/pages.db ...   # a database built by an earlier run
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests
from bench_web_busy import free_port
from benchlib import bench_app, largest_office, postgres_schema, run_load, timed
from sqlalchemy import func, select

from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Item, ItemOffice, Milestone, Office, Plan, Unit

PROVINCE = "Tỉnh Thanh Hóa"
TICKS = os.sysconf("SC_CLK_TCK")


def load_avg() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and every live process under it, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    wanted, frontier = {pid}, [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier and p not in wanted]
        wanted.update(frontier)
    total = 0
    for p in wanted:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def report(label: str, server_pid: int, clients: int, total: int, setup, request) -> None:
    cpu_before = tree_cpu(server_pid)
    latencies, statuses, wall = run_load(clients, total, setup, request)
    cpu = tree_cpu(server_pid) - cpu_before
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"  {label:<30} {clients:3} clients: p50 {statistics.median(latencies) * 1000:7.0f} ms  "
          f"p95 {cuts[94] * 1000:7.0f} ms  max {max(latencies) * 1000:7.0f} ms  {len(latencies) / wall:6.1f} req/s  "
          f"server CPU {cpu:5.1f} s = {cpu / wall:4.2f} cores  {statuses}  ({load_avg()})", flush=True)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def pick(app):
    """The office with the most items, its unit's items it leads, another commune, the province."""
    with read_session(app.engine) as session:
        office = largest_office(session)
        items = list(session.scalars(
            select(Item.id).join(ItemOffice, ItemOffice.item_id == Item.id)
            .where(ItemOffice.office_id == office.id, ItemOffice.role == "lead", Item.removed_at.is_(None))
            .order_by(Item.id)))
        province = session.scalar(select(Unit.id).where(Unit.name == PROVINCE))
        other = session.execute(
            select(Office.id, Office.unit_id).join(Unit, Unit.id == Office.unit_id)
            .where(Unit.id != office.unit_id, Unit.parent_id == province, Office.name == office.name)
            .order_by(Office.id)).first()
        other_items = list(session.scalars(
            select(Item.id).join(ItemOffice, ItemOffice.item_id == Item.id)
            .where(ItemOffice.office_id == other.id, ItemOffice.role == "lead").order_by(Item.id)))
        dated = set(session.scalars(  # one active milestone, with due dates
            select(Milestone.item_id).where(Milestone.item_id.in_(items + other_items), Milestone.active.is_(True))
            .group_by(Milestone.item_id)
            .having(func.count() == 1, func.min(Milestone.kind).in_(("fixed", "yearly", "period")))))
        items = [i for i in items if i in dated] + [i for i in items if i not in dated]  # a report changes the feed
        other_items = [i for i in other_items if i in dated] + [i for i in other_items if i not in dated]
        refs = {i: f"{code}#{number}" for i, code, number in session.execute(
            select(Item.id, Plan.code, Item.number).join(Plan, Plan.id == Item.plan_id)
            .where(Item.id.in_(items + other_items)))}
    with unit_of_work(app.engine) as session:
        tokens = {
            "office": links.ensure_link(session, links.OFFICE, office.unit_id, office.id).token,
            "feed_a": links.ensure_link(session, links.OFFICE_FEED, other.unit_id, other.id).token,
            "feed_b": links.ensure_link(session, links.OFFICE_FEED, office.unit_id, office.id).token,
            "province": links.ensure_link(session, links.LEADERSHIP, province).token,
        }
    return office, items, other_items, refs, tokens


def in_process(app, path: str, repeat: int) -> float:
    """The page built in-process: the web application called without a server, one request at a time."""
    from starlette.testclient import TestClient

    from dondoc.web.app import create_app

    client = TestClient(create_app(app))
    assert client.get(path).status_code == 200
    seconds, _ = timed(lambda: client.get(path), repeat)
    return seconds


def in_process_post(app, token: str, items: list[int], repeat: int) -> float:
    from starlette.testclient import TestClient

    from dondoc.web.app import create_app

    client = TestClient(create_app(app), base_url="http://localhost:8000", follow_redirects=False)
    csrf = csrf_of(client.get(f"/o/{token}/items/{items[0]}").text)
    n = iter(range(10**9))

    def post():
        answer = client.post(f"/o/{token}/items/{items[next(n) % len(items)]}", headers={"Origin": "http://localhost:8000"},
                             data={"csrf": csrf, "status": "dang_thuc_hien", "milestone": "1",
                                   "note": "Đang triển khai (đo tải)"})
        assert answer.status_code == 303, answer.status_code
    seconds, _ = timed(post, repeat)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--requests", type=int, default=200, help="requests per office page and POST phase")
    parser.add_argument("--province-requests", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None, help="DONDOC_WEB_WORKERS of the server (default: its own)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="PostgreSQL URL: the data in a throw-away schema there")
    parser.add_argument("--reuse", type=Path, help="a SQLite database built by an earlier run (copied; built and kept "
                                                   "there when missing)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["office", "province", "post", "feed"])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {load_avg()}", flush=True)
    with tempfile.TemporaryDirectory() as home, (postgres_schema(args.postgres) if args.postgres
                                                 else _nothing()) as url:
        if args.reuse and args.reuse.exists() and not url:
            shutil.copy(args.reuse, Path(home) / "bench.db")
        app = bench_app(home, url)
        started = time.perf_counter()
        with read_session(app.engine) as session:
            built = session.scalar(select(func.count()).select_from(Unit).where(Unit.name == PROVINCE))
        if not built:
            demo = app.build_demo(communes=args.communes, seed=2026, as_of=app.today(), province=PROVINCE)
            print(f"demo data: {demo.units} communes, {demo.plans} plans, {demo.items} items in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            if args.reuse and not url:
                app.engine.dispose()
                shutil.copy(Path(home) / "bench.db", args.reuse)
        with read_session(app.engine) as session:
            counts = (session.scalar(select(func.count()).select_from(Unit)),
                      session.scalar(select(func.count()).select_from(Item)),
                      session.scalar(select(func.count()).select_from(Office)))
        office, items, other_items, refs, tokens = pick(app)
        print(f"units / items / offices: {counts[0]} / {counts[1]} / {counts[2]}; largest office: {office.name} "
              f"({office.unit}), {office.n} items, {len(items)} led", flush=True)
        office_path, province_path = f"/o/{tokens['office']}", f"/l/{tokens['province']}"

        print("baseline: the same page built in-process, one request at a time (median of "
              f"{args.repeat}, {load_avg()})", flush=True)
        if "office" not in args.skip:
            print(f"  office page                    {in_process(app, office_path, args.repeat) * 1000:7.0f} ms", flush=True)
        if "province" not in args.skip:
            print(f"  province page                  {in_process(app, province_path, args.repeat) * 1000:7.0f} ms",
                  flush=True)
        if "post" not in args.skip:
            print(f"  status report (POST)           {in_process_post(app, tokens['office'], items, args.repeat) * 1000:7.0f} ms",
                  flush=True)
        app.engine.dispose()

        env = {**os.environ, "DONDOC_HOME": home, "PYTHONPATH": str(ROOT), "DONDOC_DATABASE_URL": url or
               f"sqlite:///{Path(home) / 'bench.db'}", "DONDOC_PUBLIC_URL": "http://127.0.0.1"}
        if args.workers is not None:
            env["DONDOC_WEB_WORKERS"] = str(args.workers)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env["DONDOC_PUBLIC_URL"] = base
        server = subprocess.Popen([sys.executable, "-c", "from dondoc.cli import app; app()", "web", "--port",
                                   str(port), "--host", "127.0.0.1"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            for _ in range(600):
                try:
                    if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.1)
            time.sleep(1.0)
            print(f"server: dondoc web, DONDOC_WEB_WORKERS={env.get('DONDOC_WEB_WORKERS', '(default)')}", flush=True)
            get = lambda path: (lambda session, _state, _k: session.get(base + path, timeout=600))
            for name, path, total, skip in (("office page", office_path, args.requests, "office"),
                                            ("province page", province_path, args.province_requests, "province")):
                if skip in args.skip:
                    continue
                assert requests.get(base + path, timeout=600).status_code == 200  # warm
                for clients in args.clients:
                    report(name, server.pid, clients, total, lambda _s: None, get(path))

            def post_setup(session):
                page = session.get(f"{base}/o/{tokens['office']}/items/{items[0]}", timeout=600)
                return csrf_of(page.text)

            def post(session, csrf, k):
                return session.post(f"{base}/o/{tokens['office']}/items/{items[k % len(items)]}",
                                    data={"csrf": csrf, "status": "dang_thuc_hien", "milestone": "1",
                                          "note": f"Đang triển khai ({k})"},
                                    headers={"Origin": base}, allow_redirects=False, timeout=600)

            if "post" not in args.skip:
                for clients in args.clients:
                    report("status report (POST)", server.pid, clients, args.requests, post_setup, post)

            if "feed" not in args.skip:
                feed_after_writes(base, tokens, refs, other_items, items, home, env)
        finally:
            server.terminate()
            try:
                out, _ = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                out, _ = server.communicate()
            if server.returncode not in (0, -15):
                print(out[-3000:])


def feed_after_writes(base: str, tokens: dict, refs: dict, a_items: list[int], b_items: list[int], home: str,
                      env: dict, rounds: int = 12) -> None:
    """Commune B's office feed: warm, just after a report in commune A, just after one in commune B. The reports
    are written by another process (``dondoc update``, as the standing office would); each worker process keeps
    its own cache, so every phase sends ``rounds`` requests, each on a new connection (any worker answers)."""
    url = f"{base}/feeds/{tokens['feed_b']}.ics"

    def phase(label: str) -> set[str]:
        times, etags = [], set()
        for _ in range(rounds):
            started = time.perf_counter()
            answer = requests.get(url, timeout=600)
            times.append(time.perf_counter() - started)
            etags.add(answer.headers.get("ETag", ""))
        print(f"  {label:<44} p50 {statistics.median(times) * 1000:6.0f} ms  max {max(times) * 1000:6.0f} ms  "
              f"({rounds} requests, {len(etags)} ETag)  ({load_avg()})", flush=True)
        return etags

    def update(item_id: int, status: str) -> None:
        subprocess.run([sys.executable, "-c", "from dondoc.cli import app; app()", "update", refs[item_id], "--status",
                        status, "--milestone", "1", "--note", "Đo tải: ghi từ dòng lệnh", "--product", "Báo cáo số 1"],
                       env=env, cwd=ROOT, check=True, capture_output=True)

    print("office feed of commune B (gzip):", flush=True)
    phase("first requests (each worker builds it)")
    warm = phase("warm")
    update(a_items[0], "hoan_thanh")
    time.sleep(1.1)  # a feed reads its unit's data version at most once a second
    after_a = phase("just after a report in commune A")
    print(f"    unchanged after the write in A: {after_a == warm}", flush=True)
    update(b_items[0], "hoan_thanh")
    time.sleep(1.1)
    after_b = phase("just after a report in commune B (rebuilt)")
    print(f"    changed after the write in B: {after_b.isdisjoint(warm)}", flush=True)
    phase("warm again")


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()

"""``dondoc sync`` time for about 1,000 items against a local Prefect server, beside baselines.

Builds the demo dataset (17 communes ≈ 1,050 items) in a fresh SQLite database,
starts ``prefect server start`` in a temporary PREFECT_HOME (SQLite, or PostgreSQL
with ``--prefect-postgres``), and measures in the same run:
  - baseline 1: the set-based checkpoint query (``checkpoints_by_item`` for every item);
  - the first sync (every deployment created);
  - the no-op re-sync (nothing changes; what a second ``dondoc sync`` costs);
  - baseline 2: plain client reads of the same deployments (paged ``read_deployments``);
  - the Prefect server's own CPU time during the first sync (its process tree, from /proc): the
    floor a single server process puts under the first sync, whatever the client does;
and prints the machine's load average beside the figures (the machine may be shared).

    python bench/bench_sync.py [--communes 17] [--concurrency 4]
        [--prefect-postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_prefect [--api-workers 2]]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import bench_app  # noqa: E402
from dondoc.orchestration.prefect_server import LocalServer  # noqa: E402
from dondoc.orchestration.sync import read_item_deployments, sync  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc; 0 elsewhere)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += process_tree_cpu(int(child))
    except (OSError, ValueError, IndexError):
        pass
    return total


async def _read_all():
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await read_item_deployments(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=17)
    parser.add_argument("--as-of", default="2026-01-05", help="status date of the demo data and horizon start")
    parser.add_argument("--concurrency", type=int, default=None, help="DONDOC_SYNC_CONCURRENCY for this run")
    parser.add_argument("--prefect-postgres", default=None, help="asyncpg URL of an empty database for the Prefect server")
    parser.add_argument("--api-workers", type=int, default=1,
                        help="Prefect API processes (with --prefect-postgres; Redis from PREFECT_REDIS_MESSAGING_*)")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    with tempfile.TemporaryDirectory(prefix="dondoc-bench-sync-") as tmp:
        app = bench_app(Path(tmp) / "home", **({"sync_concurrency": args.concurrency} if args.concurrency else {}))
        settings = app.settings
        built, summary = timed(lambda: app.build_demo(communes=args.communes, seed=2026, as_of=as_of,
                                                      province="Tỉnh Thanh Hóa"))
        print(f"dữ liệu: {summary.items} mục, {summary.units} xã (tạo trong {built:.1f} s)")

        extra = {"PREFECT_API_DATABASE_CONNECTION_URL": args.prefect_postgres} if args.prefect_postgres else {}
        started, server = timed(lambda: LocalServer(Path(tmp) / "prefect", extra_env=extra, api_workers=args.api_workers).start(timeout=180))
        print(f"máy chủ Prefect ({'PostgreSQL' if extra else 'SQLite'}) sẵn sàng sau {started:.1f} s: {server.ui_url}")
        try:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                end = as_of + timedelta(days=settings.sync_horizon_days - 1)
                t_cp, checkpoints = timed(lambda: app.checkpoints(as_of, end, as_of=as_of))
                load = os.getloadavg()
                cpu_before = process_tree_cpu(server.child.process.pid)
                services_before = process_tree_cpu(server.services.process.pid) if server.services else 0.0
                t_first, first = timed(lambda: sync(app, as_of=as_of))
                server_cpu = process_tree_cpu(server.child.process.pid) - cpu_before
                services_cpu = process_tree_cpu(server.services.process.pid) - services_before if server.services else None
                t_again, again = timed(lambda: sync(app, as_of=as_of))
                t_read, found = timed(lambda: asyncio.run(_read_all()))
        finally:
            server.stop()

    n = summary.items
    print(f"đồng thời (DONDOC_SYNC_CONCURRENCY): {settings.sync_concurrency}; khoảng lịch {settings.sync_horizon_days} ngày")
    print(f"baseline 1 — checkpoints_by_item cho {len(checkpoints)} mục:   {t_cp:8.2f} s")
    print(f"sync lần đầu (tạo {first.created}, {first.scheduled} có lịch, {first.checkpoints} lần nhắc): "
          f"{t_first:8.2f} s  ({1000 * t_first / n:.1f} ms/mục)")
    print(f"  CPU máy chủ Prefect trong lúc đó: {server_cpu:8.2f} s  ({1000 * server_cpu / max(1, first.created):.1f} ms/deployment)")
    if services_cpu is not None:
        print(f"  CPU các dịch vụ Prefect (tiến trình riêng, {args.api_workers} tiến trình API): {services_cpu:8.2f} s")
    print(f"sync lại, không đổi gì (giữ nguyên {again.unchanged}, đổi {again.changed}):   {t_again:8.2f} s")
    if again.changed:
        print("  đổi:", ", ".join(f"{name} ({verb})" for name, verb in sorted(again.names.items())[:5]))
    print(f"baseline 2 — đọc {len(found)} deployment qua client:       {t_read:8.2f} s")
    print(f"tải máy (load average 1/5/15 phút) lúc bắt đầu sync: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} lõi")
    print(f"sync lại / đọc thuần: {t_again / t_read:.2f}×; sync lần đầu / checkpoints: {t_first / t_cp:.0f}×")


if __name__ == "__main__":
    main()

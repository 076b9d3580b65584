"""Does the web stay responsive while the standing office imports a plan?

Starts ``dondoc web`` on a scratch data directory with plan 001, then measures ``/healthz`` every 50 ms:
first idle (the baseline, same run), then while the standing page re-imports (a) plan 001 with every item's
text edited and (b) a hostile plan: plan 001 with 30 deadline cells of 20,000 characters of "- - -". Prints p50/max latency of each
phase and how long the import took; ``--project DIR`` runs another checkout's code.

    .venv/bin/python bench/bench_web_busy.py [--project ../old-checkout]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PLAN_001 = EXAMPLES / "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def variant(path: Path, column: int, value, limit: int = 10_000) -> Path:
    """Plan 001 with one column of its first ``limit`` item rows replaced by ``value(cell)``."""
    out, n = [], 0
    for line in PLAN_001.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 5 and re.match(r"^\d+\.?$", cells[0].strip()) and n < limit:
            cells[column] = value(cells[column])
            n += 1
        out.append("\t".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def probe(base: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=120) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get(f"{base}/healthz")
            out.append(time.perf_counter() - start)
            time.sleep(0.05)


def phase(base: str, action) -> tuple[list[float], float]:
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=probe, args=(base, stop, latencies))
    thread.start()
    while not latencies:  # the probe runs before the import starts
        time.sleep(0.01)
    start = time.perf_counter()
    action()
    took = time.perf_counter() - start
    stop.set()
    thread.join()
    return latencies, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout whose code runs (default: this one)")
    args = parser.parse_args()
    project = args.project.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DONDOC_HOME": tmp, "PYTHONPATH": str(project), "COLUMNS": "200"}
        env.pop("DONDOC_DATABASE_URL", None)
        run = [sys.executable, "-m", "dondoc.cli"] if (project / "dondoc" / "cli" / "__main__.py").exists() else \
              [sys.executable, "-c", "from dondoc.cli import app; app()"]
        subprocess.run([*run, "import", str(PLAN_001), "--unit", "Xã Ngọc Liên"], env=env, check=True,
                       capture_output=True, cwd=project)
        links = subprocess.run([*run, "links"], env=env, check=True, capture_output=True, text=True, cwd=project).stdout
        token = re.search(r"/s/([A-Za-z0-9_-]{20,})", links).group(1)
        port = free_port()
        server = subprocess.Popen([*run, "web", "--port", str(port), "--host", "127.0.0.1"], env=env, cwd=project,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            client = httpx.Client(base_url=base, timeout=600, headers={"Origin": base})
            page = client.get(f"/s/{token}").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

            def upload(path: Path):
                def go():
                    with open(path, "rb") as f:
                        answer = client.post(f"/s/{token}/import", data={"csrf": csrf},
                                             files={"file": (path.name, f, "text/plain")})
                    assert answer.status_code == 200 and "Đã nhập lại" in answer.text, answer.status_code
                return go

            idle, _ = phase(base, lambda: time.sleep(3))
            edited = variant(Path(tmp) / PLAN_001.name, 1, lambda text: text + " (sửa)")
            plan, plan_took = phase(base, upload(edited))
            bad = variant(Path(tmp) / "ke-hoach-doc-hai.txt", 4, lambda _text: ("- " * 10_000)[:20_000], 30)
            worst, worst_took = phase(base, upload(bad))
            bad_kb = bad.stat().st_size // 1024
        finally:
            server.terminate()
            server.wait(10)
    for name, lat, took in (("idle (baseline)", idle, None), ("re-importing plan 001, every item edited", plan, plan_took),
                            (f"importing a {bad_kb} KB plan with 30 cells of 20,000 chars",
                             worst, worst_took)):
        extra = f"; import {took:.2f} s" if took is not None else ""
        print(f"{name:62} /healthz p50 {statistics.median(lat) * 1000:7.1f} ms, max {max(lat) * 1000:8.1f} ms "
              f"({len(lat)} probes){extra}")


if __name__ == "__main__":
    main()

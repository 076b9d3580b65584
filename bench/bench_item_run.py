"""CPU time of one item flow run, as a Prefect process worker runs it, beside the cost of its imports.

A process worker starts ``python -m prefect.engine <flow run id>`` for every flow run. This
script does exactly that, without the worker's polling in the way: it imports the Ngọc Liên
example into a fresh data directory, starts a local Prefect server, deploys one item
(``dondoc sync --item``), creates ``--runs`` flow runs of it (each at 08:00 of a different
working day, so that some send and some find nothing due) and runs each in a child process,
reading the child's CPU time (user + system) from the kernel. In the same run it measures the
baseline: a child that only imports ``prefect.flow_engine`` and the item flow module; and, as a
worker started by ``dondoc worker`` runs them, as many runs started warm: the pool's launcher
(``python -m dondoc.orchestration.launch``) handing each to a fork server that imported everything
once (its CPU: the launcher's plus the forked copy's, read from the server's children times).

    python bench/bench_item_run.py [--runs 5] [--item 43] [--project DIR]

Only the ``dondoc`` command, Prefect and the standard library are used, so the same script
measures any version of the project: ``--project`` points at another checkout (a ``git worktree``
of an earlier commit), run with this environment's Python.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DONDOC = [sys.executable, "-c", "import sys; from dondoc.cli import app; sys.argv[0] = 'dondoc'; app()"]
DAYS = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09",
        "2026-12-10", "2026-12-11", "2026-12-14"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_cpu(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit code) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-3000:])
    process.stderr.close()
    return usage.ru_utime + usage.ru_stime, wall, process.returncode


def proc_children_cpu(pid: int) -> float:
    """CPU seconds of the reaped children of ``pid`` (cutime + cstime in /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def warm_cpu(run_id: str, env: dict[str, str], cwd: Path, server_pid: int) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit code) of one run through the launcher and the fork server."""
    before = proc_children_cpu(server_pid)
    cpu, wall, code = child_cpu([sys.executable, "-m", "dondoc.orchestration.launch", run_id], env, cwd)
    return cpu + proc_children_cpu(server_pid) - before, wall, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--item", default="43", help="item number in the Ngọc Liên plan")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    project = args.project.resolve()
    example = project / "examples" / "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt"

    with tempfile.TemporaryDirectory(prefix="dondoc-bench-item-") as tmp:
        home = Path(tmp) / "home"
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "PREFECT_"))}
        env.update(DONDOC_HOME=str(home), DONDOC_WEB_PORT="0", PREFECT_HOME=str(Path(tmp) / "prefect"),
                   PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_CLI_COLORS="false")
        subprocess.run([*DONDOC, "import", str(example), "--unit", "Xã Ngọc Liên", "--json"],
                       env=env, check=True, capture_output=True, cwd=project)
        with sqlite3.connect(home / "dondoc.db") as db:
            (item_id,) = db.execute("select id from items where number = ?", (args.item,)).fetchone()
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=project)
        try:
            import httpx

            for _ in range(300):
                try:
                    if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            env["PREFECT_API_URL"] = api
            subprocess.run([*DONDOC, "sync", "--item", str(item_id), "--json"], env=env, check=True,
                           capture_output=True, cwd=project)
            os.environ["PREFECT_API_URL"] = api
            from prefect.client.orchestration import get_client

            async def create_runs() -> tuple[str, list[str]]:
                async with get_client() as client:
                    found = [d for d in await client.read_deployments() if (d.parameters or {}).get("item_id") == item_id]
                    deployment = found[0]
                    runs = []
                    for day in (DAYS[: args.runs] * 2):  # as many for the cold start as for the warm one
                        run = await client.create_flow_run_from_deployment(
                            deployment.id, parameters={"item_id": item_id, "as_of": f"{day}T08:00:00+07:00"})
                        runs.append(str(run.id))
                    return deployment.name, runs

            name, runs = asyncio.run(create_runs())

            baseline = [child_cpu([sys.executable, "-c", "import prefect.flow_engine, flows.item"], env, project)[0]
                        for _ in range(args.runs)]
            results = [child_cpu([sys.executable, "-m", "prefect.engine", run_id], env, project)
                       for run_id in runs[: args.runs]]
            socket_path = Path(tempfile.mkdtemp(prefix="dondoc-fork-")) / "runs.sock"
            fork = subprocess.Popen([sys.executable, "-m", "dondoc.orchestration.forkserver", str(socket_path), "--",
                                     "sleep", "3600"], env=env, cwd=project, stdout=subprocess.DEVNULL)
            try:
                for _ in range(200):
                    if socket_path.exists():
                        break
                    time.sleep(0.05)
                warm_env = {**env, "DONDOC_FORK_SOCKET": str(socket_path)}
                warm = [warm_cpu(run_id, warm_env, project, fork.pid) for run_id in runs[args.runs:]]
            finally:
                fork.terminate()
                fork.wait(timeout=30)

            async def states() -> list[str]:
                async with get_client() as client:
                    return [(await client.read_flow_run(r)).state.name for r in runs]

            final = asyncio.run(states())
        finally:
            server.terminate()
            server.wait(timeout=30)
    cpu = [c for c, _, _ in results]
    wall = [w for _, w, _ in results]
    print(json.dumps({"project": str(project), "deployment": name, "item_id": item_id, "runs": len(results),
                      "states": final}, ensure_ascii=False))
    print(f"baseline (import prefect.flow_engine, flows.item): median CPU {statistics.median(baseline):.2f} s")
    print(f"item flow run (python -m prefect.engine):          median CPU {statistics.median(cpu):.2f} s, "
          f"wall {statistics.median(wall):.2f} s (min CPU {min(cpu):.2f}, max {max(cpu):.2f})")
    print(f"in-run cost beyond the imports: {statistics.median(cpu) - statistics.median(baseline):.2f} CPU-s")
    warm_cpu_s, warm_wall = [c for c, _, _ in warm], [w for _, w, _ in warm]
    print(f"item flow run started warm (launcher + fork server): median CPU {statistics.median(warm_cpu_s):.2f} s, "
          f"wall {statistics.median(warm_wall):.2f} s (min CPU {min(warm_cpu_s):.2f}, max {max(warm_cpu_s):.2f}); "
          f"exit codes {sorted({code for _, _, code in warm})}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

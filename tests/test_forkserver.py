"""Warm starts of flow runs: the launcher hands its run to the fork server, which runs ``prefect.engine`` in
a forked copy with the launcher's environment, folder, arguments and streams; exit codes and signals pass
through; a launcher killed takes its run with it; with no server, the launcher runs the engine itself.

The engine is given runs it cannot find or reach, so no Prefect server is needed here; the item flow's
real runs through workers started this way are in ``test_prefect_worker.py``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "http://127.0.0.1:9/api"  # nothing listens: the engine keeps trying to load its run


def env_for(socket_path: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DONDOC_FORK"))}
    env.update(PREFECT_API_URL=UNREACHABLE, PREFECT_CLIENT_MAX_RETRIES="50", PREFECT_CLIENT_RETRY_JITTER_FACTOR="0",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)
    if socket_path is not None:
        env["DONDOC_FORK_SOCKET"] = str(socket_path)
    return env


@pytest.fixture
def server(tmp_path):
    """A fork server whose "worker" is a long sleep; its log names each run it starts and the pid."""
    socket_path = tmp_path / "fork" / "runs.sock"
    log = tmp_path / "fork.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "dondoc.orchestration.forkserver", str(socket_path), "--",
                                    "sleep", "600"], cwd=ROOT, env=env_for(None), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    yield process, socket_path, log
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def launch(socket_path: Path | None, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dondoc.orchestration.launch", *args], cwd=ROOT,
                            env=env_for(socket_path, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_pid(log: Path, run_id: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(rf"Khởi động nhanh lượt chạy {run_id} \(tiến trình (\d+)\)", log.read_text())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    pytest.fail(f"the fork server did not start {run_id}:\n{log.read_text()}")


def gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_warm_run_answers_as_the_engine_would(server):
    """Same streams, same exit code as ``python -m prefect.engine`` for a run id the engine refuses."""
    _, socket_path, log = server
    cold = subprocess.run([sys.executable, "-m", "prefect.engine", "not-a-run-id"], cwd=ROOT, env=env_for(None),
                          capture_output=True, text=True, timeout=120)
    warm = launch(socket_path, "not-a-run-id")
    out, err = warm.communicate(timeout=120)
    assert warm.returncode == cold.returncode == 1
    assert "Invalid flow run id" in err.decode() and "Invalid flow run id" in cold.stderr
    assert "Warning" not in err.decode()  # nothing a cold start would not print
    assert run_pid(log, "not-a-run-id")


def test_signals_reach_the_run_and_a_killed_launcher_takes_it_along(server):
    _, socket_path, log = server
    run_id = str(uuid.uuid4())
    first = launch(socket_path, PREFECT__FLOW_RUN_ID=run_id)
    pid = run_pid(log, run_id)  # the engine is retrying its unreachable API
    time.sleep(1)
    assert first.poll() is None
    first.send_signal(signal.SIGTERM)  # what a worker does to cancel
    assert first.wait(timeout=60) != 0 and gone(pid)

    run_id = str(uuid.uuid4())
    second = launch(socket_path, PREFECT__FLOW_RUN_ID=run_id)
    pid = run_pid(log, run_id)
    second.kill()  # SIGKILL: nothing to pass on, the server sees its connection close
    second.wait(timeout=30)
    assert gone(pid)


def test_without_a_server_the_launcher_runs_the_engine_itself(tmp_path):
    for socket_path in (None, tmp_path / "nobody" / "runs.sock"):  # no server set, or one that is gone
        result = launch(socket_path, "not-a-run-id")
        _, err = result.communicate(timeout=120)
        assert result.returncode == 1 and "Invalid flow run id" in err.decode()


def test_the_server_stops_with_its_worker_and_the_worker_with_it(server):
    process, socket_path, _ = server
    worker = int(subprocess.run(["pgrep", "-P", str(process.pid), "sleep"], capture_output=True, text=True).stdout)
    os.kill(process.pid, signal.SIGKILL)  # the server dies: its worker is told to stop (no orphan)
    assert gone(worker)
    result = launch(socket_path, "not-a-run-id")  # a run started meanwhile falls back to a cold start
    assert result.wait(timeout=120) == 1


def test_a_worker_that_exits_ends_the_server_with_its_code(tmp_path):
    socket_path = tmp_path / "f" / "runs.sock"
    result = subprocess.run([sys.executable, "-m", "dondoc.orchestration.forkserver", str(socket_path), "--",
                             sys.executable, "-c", "raise SystemExit(3)"], cwd=ROOT, env=env_for(None), timeout=120)
    assert result.returncode == 3 and not socket_path.exists() and not socket_path.parent.exists()

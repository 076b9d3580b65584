"""A local Prefect server and worker as child processes, and the work pool they share.

``dondoc up`` starts ``prefect server start`` on SQLite under ``<home>/prefect``
(its own ``PREFECT_HOME``; the server migrates its database on first start) on a
free port, waits until ``/api/health`` answers, and later a process worker for
the pool. Every child runs in its own process group so that :meth:`Child.stop`
ends it and its children (no orphans).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dondoc.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PREFECT_BIN = Path(sys.executable).with_name("prefect")


class PrefectServerError(RuntimeError):
    """The Prefect server did not start or does not answer."""


class NoPrefectServer(PrefectServerError):
    """Neither PREFECT_API_URL nor a running ``dondoc up`` server."""


def prefect_home(settings: Settings) -> Path:
    return settings.home_path / "prefect"


def url_file(settings: Settings) -> Path:
    """Where ``dondoc up`` keeps the address of the local server it started."""
    return prefect_home(settings) / "api_url"


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def api_url(settings: Settings, *, required: bool = True) -> str | None:
    """The Prefect API to use: PREFECT_API_URL, else the one ``dondoc up`` wrote, if it answers."""
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return url.rstrip("/")
    path = url_file(settings)
    if path.is_file():
        saved = path.read_text().strip()
        if saved and _answers(saved):
            return saved
    if required:
        raise NoPrefectServer(
            "Chưa có máy chủ Prefect: chạy «dondoc up» (máy chủ cục bộ) hoặc đặt PREFECT_API_URL "
            "(no Prefect server: run `dondoc up` or set PREFECT_API_URL)."
        )
    return None


@contextmanager
def using(url: str) -> Iterator[None]:
    """Point this process's Prefect client at ``url`` (settings are read once, so set them in context)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def prefect_database(home: Path) -> str:
    """Where a local server started now keeps its data, for people (never a password)."""
    from urllib.parse import urlsplit

    from dondoc.orchestration.api_workers import database_url

    url = database_url(os.environ)
    if url.startswith("postgresql"):
        parts = urlsplit(url)
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}"
    return f"SQLite trong {home}"


def pull_steps() -> list[dict[str, Any]]:
    """Deployments run their flows from the project folder (``flows/…`` entrypoints)."""
    return [{"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_ROOT)}}]


def run_sync(coro):
    """Run a coroutine from sync code, also when an event loop is already running in this thread."""
    import asyncio
    import threading

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def free_port(start: int = 4200, host: str = "127.0.0.1") -> int:
    """The first port from ``start`` nobody listens on (an OS-chosen one when ``start`` is 0)."""
    candidates = range(start, start + 200) if start else [0]
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise PrefectServerError(f"Không còn cổng trống từ {start} (no free port).")


def wait_healthy(api_url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``<api_url>/health`` until it answers true, the process dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise PrefectServerError(f"Máy chủ Prefect đã dừng (exit {process.returncode}) trước khi sẵn sàng.")
        try:
            response = httpx.get(f"{api_url}/health", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.3)
    raise PrefectServerError(f"Máy chủ Prefect không trả lời {api_url}/health sau {timeout:.0f} giây ({last}).")


# What a busy morning needs from the Prefect clients (worker, flow runs): more patience with a server
# answering 503 while its SQLite database is locked (retried with a growing delay), and from the local
# server: a longer wait on that lock before answering 503 at all.
WORKER_QUERY_SECONDS = 2
PATIENCE = {
    "PREFECT_CLIENT_MAX_RETRIES": "12",
    "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
    "PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT": "30",
}


def base_env(prefect_home: Path | None = None, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a Prefect child: quiet, offline, patient (:data:`PATIENCE`), pointed at one home
    and one API."""
    env = dict(os.environ)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT", "false")
    env.setdefault("PREFECT_CLI_COLORS", "false")
    for key, value in PATIENCE.items():
        env.setdefault(key, value)
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Child:
    """A child process in its own process group, stopped with SIGTERM then SIGKILL."""

    name: str
    process: subprocess.Popen
    log_path: Path | None = None

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=timeout)
        return self.process.returncode

    def log_tail(self, lines: int = 20) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when its parent dies, even by SIGKILL (no orphan server or worker)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(name: str, args: list[str], env: dict[str, str], log_path: Path | None, cwd: Path = PROJECT_ROOT) -> Child:
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            args, env=env, cwd=str(cwd), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
    finally:
        if log_path:
            out.close()
    return Child(name, process, log_path)


@dataclass
class LocalServer:
    """``prefect server start`` under ``home`` (its PREFECT_HOME): on SQLite there unless the environment names
    another database; with ``api_workers`` > 1, that many API processes and one process for the services
    (:mod:`dondoc.orchestration.api_workers`)."""

    home: Path
    port: int = 0
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    api_workers: int = 1
    child: Child | None = None
    services: Child | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 120.0) -> LocalServer:
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(4200, self.host)
        env = base_env(
            self.home,
            PREFECT_SERVER_API_HOST=self.host,
            PREFECT_SERVER_API_PORT=str(self.port),
            PREFECT_UI_API_URL=self.api_url,
            **self.extra_env,
        )
        env.pop("PREFECT_API_URL", None)
        args = [str(PREFECT_BIN), "server", "start", "--host", self.host, "--port", str(self.port)]
        if self.api_workers > 1:
            env = self._prepare_api_workers(env, timeout)
            args += ["--workers", str(self.api_workers)]
            self.services = spawn("prefect-services", [str(PREFECT_BIN), "server", "services", "start"], env,
                                  self.home / "services.log")
        self.child = spawn("prefect-server", args, env, self.home / "server.log")
        try:
            wait_healthy(self.api_url, timeout, self.child.process)
        except PrefectServerError as exc:
            tail = self.child.log_tail()
            self.stop()
            raise PrefectServerError(f"{exc}\n{tail}") from exc
        return self

    def _prepare_api_workers(self, env: dict[str, str], timeout: float) -> dict[str, str]:
        """See :mod:`dondoc.orchestration.api_workers`."""
        from dondoc.orchestration.api_workers import ApiWorkersRefused, api_workers_env, prepare_database, started_env

        try:
            env = api_workers_env(env, self.api_workers)
        except ApiWorkersRefused as exc:
            raise PrefectServerError(str(exc)) from None
        try:
            prepare_database(PREFECT_BIN.with_name("python"), env, timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            tail = "\n".join((exc.stderr or b"").decode(errors="replace").splitlines()[-5:])
            raise PrefectServerError(f"Không chuẩn bị được cơ sở dữ liệu của Prefect.\n{tail}") from None
        return started_env(env)

    @property
    def children(self) -> list[Child]:
        return [c for c in (self.child, self.services) if c is not None]

    def stop(self) -> None:
        if self.child is not None:
            flush_client_services()
        for child in self.children:
            child.stop()


def flush_client_services(timeout: float = 10.0) -> None:
    """Send what this process's Prefect client still holds (events, logs) while the server is up.

    Prefect flushes them at interpreter exit; with the server gone by then, the exit
    would wait on connection retries for every queued item.
    """
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker
    except ImportError:  # pragma: no cover - prefect is a dependency
        return
    for service in (EventsWorker, APILogWorker):
        try:
            service.drain_all(timeout=timeout, at_exit=False)
        except Exception:  # noqa: BLE001 - best effort: stopping must go on
            pass


def start_worker(pool: str, api_url: str, *, log_path: Path | None = None, env: dict[str, str] | None = None,
                 limit: int | None = None, prefect_home: Path | None = None, warm: bool = True) -> Child:
    """``prefect worker start --pool POOL --type process`` pointed at ``api_url``; with ``warm``, started
    through the fork server (:mod:`dondoc.orchestration.forkserver`) so that its flow runs start warm."""
    import tempfile

    args = [str(PREFECT_BIN), "worker", "start", "--pool", pool, "--type", "process"]
    if limit:
        args += ["--limit", str(limit)]
    if warm:  # a private folder for the socket: only this user can hand it a run
        socket_path = Path(tempfile.mkdtemp(prefix="dondoc-fork-")) / "runs.sock"
        args = [sys.executable, "-m", "dondoc.orchestration.forkserver", str(socket_path), "--", *args]
    child_env = base_env(prefect_home, api_url, **(env or {}))
    # with a concurrency limit, a slot that frees waits for the worker's next look at the queue: look often
    child_env.setdefault("PREFECT_WORKER_QUERY_SECONDS", str(WORKER_QUERY_SECONDS))
    return spawn("prefect-worker", args, child_env, log_path)


def job_template() -> dict:
    """The process pool's job template, with the flow-run command written out: the worker then starts
    the launcher (:mod:`dondoc.orchestration.launch`: a warm copy of the fork server, or ``python -m
    prefect.engine`` when none answers) directly (it runs the deployment's pull steps itself) instead of a
    workspace supervisor process and then the engine, one Python start-up less per flow run."""
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    template["variables"]["properties"]["command"]["default"] = f"{sys.executable} -m dondoc.orchestration.launch"
    return template


async def ensure_work_pool(client, name: str, pool_limit: int | None = None) -> None:
    """Create the process work pool ``name`` when it does not exist, or bring its job template up to date;
    with ``pool_limit`` (``DONDOC_POOL_LIMIT``), its pool-wide concurrency limit too (0: none). Each worker
    bounds its own machine (``prefect worker start --limit``), so a second machine adds its slots instead
    of sharing them."""
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    concurrency = pool_limit or None
    template = job_template()
    try:
        pool = await client.read_work_pool(name)
    except ObjectNotFound:
        pool = None
    if pool is None:
        try:
            await client.create_work_pool(
                WorkPoolCreate(name=name, type="process", concurrency_limit=concurrency, base_job_template=template)
            )
            return
        except ObjectAlreadyExists:
            pool = await client.read_work_pool(name)
    changes = {}
    if pool_limit is not None and pool.concurrency_limit != concurrency:
        changes["concurrency_limit"] = concurrency
    if pool.type == "process" and pool.base_job_template != template:
        changes["base_job_template"] = template
    if changes:
        await client.update_work_pool(name, WorkPoolUpdate(**changes))

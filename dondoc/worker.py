"""Orchestration around the item deployments: which Prefect server, the other flows' deployments,
the worker, and the status run through Prefect.

- :func:`api_url` answers which server to talk to: ``PREFECT_API_URL`` when set,
  else the local server ``dondoc up`` started (its address is kept in
  ``<home>/prefect/api_url``).
- :func:`deploy_service_flows` keeps the deployments of the status, digest,
  progress, report, nudge and re-sync flows (compare first: nothing changes on a re-run).
- :func:`serve` runs children (server, worker) until SIGINT/SIGTERM, then stops them.
- :func:`status_via_prefect` triggers the status deployment, waits, and returns its markdown artifact.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import httpx

from dondoc.prefect_server import PROJECT_ROOT, Child, PrefectServerError, ensure_work_pool
from dondoc.settings import Settings, get_settings
from dondoc.sync import TAG, run_sync

STATUS_DEPLOYMENT = "dondoc-status/dondoc"


class NoPrefectServer(PrefectServerError):
    """Neither PREFECT_API_URL nor a running ``dondoc up`` server."""


def prefect_home(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).home_path / "prefect"


def url_file(settings: Settings | None = None) -> Path:
    return prefect_home(settings) / "api_url"


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def api_url(settings: Settings | None = None, *, required: bool = True) -> str | None:
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


# -- the other flows' deployments -------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    flow_name: str
    entrypoint: str
    cron: str | None
    description: str


def _at(moment: time, days: str = "*", dom: str = "*") -> str:
    return f"{moment.minute} {moment.hour} {dom} * {days}"


def services(policy: Any = None) -> list[Service]:
    """The deployments besides the items', with their schedules (from the chasing policy)."""
    send_at = getattr(policy, "send_at", None) or time(8, 0)
    digest_at = getattr(policy, "digest_send_at", None) or time(7, 30)
    nudge_day = getattr(policy, "nudge_day", None) or 1
    return [
        Service("dondoc-status", "flows/status.py:status_flow", None,
                "Tình hình thực hiện theo yêu cầu (dondoc status --via-prefect)."),
        Service("dondoc-digest", "flows/digest.py:digest_flow", _at(digest_at),
                "Bản tổng hợp hằng ngày cho lãnh đạo (chỉ ngày làm việc)."),
        Service("dondoc-progress", "flows/progress.py:progress_flow", _at(send_at),
                "Kiểm tra hằng ngày: yêu cầu các cơ quan báo cáo tiến độ trước hạn gửi báo cáo."),
        Service("dondoc-report", "flows/report.py:report_flow", _at(send_at),
                "Hằng ngày: lập và gửi báo cáo định kỳ CCHC vào ngày dự thảo và ngày hạn gửi cấp trên."),
        Service("dondoc-nudge", "flows/nudge.py:nudge_flow", _at(send_at, dom=str(nudge_day)),
                "Hằng tháng: nhắc văn phòng các mục đang chờ sự kiện."),
        Service("dondoc-resync", "flows/resync.py:resync_flow", "0 2 1 * *",
                "Hằng tháng: đồng bộ lại lịch của mọi mục để khoảng lịch không bao giờ cạn."),
    ]


def _pull_steps() -> list[dict[str, Any]]:
    return [{"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_ROOT)}}]


async def deploy_service_flows_async(client, settings: Settings, policy: Any = None) -> dict[str, str]:
    """Create or update the service deployments (named ``dondoc``); returns name -> created|updated|unchanged."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.exceptions import ObjectNotFound

    await ensure_work_pool(client, settings.prefect_pool)
    outcome: dict[str, str] = {}
    for service in services(policy):
        wanted = ((service.cron, settings.timezone),) if service.cron else ()
        tags = sorted({TAG, "dondoc:service"})
        try:
            current = await client.read_deployment_by_name(f"{service.flow_name}/dondoc")
        except ObjectNotFound:
            current = None
        if current is not None:
            have = tuple(sorted((getattr(s.schedule, "cron", None), getattr(s.schedule, "timezone", None))
                                for s in current.schedules))
            if (have, sorted(current.tags), current.work_pool_name, current.entrypoint, current.pull_steps,
                    current.description) == (wanted, tags, settings.prefect_pool, service.entrypoint, _pull_steps(),
                                             service.description):
                outcome[service.flow_name] = "unchanged"
                continue
        flow_id = await client.create_flow_from_name(service.flow_name)
        schedules = [DeploymentScheduleCreate(schedule=CronSchedule(cron=service.cron, timezone=settings.timezone),
                                              active=True)] if service.cron else []
        await client.create_deployment(
            flow_id=flow_id, name="dondoc", tags=tags, schedules=schedules, work_pool_name=settings.prefect_pool,
            entrypoint=service.entrypoint, pull_steps=_pull_steps(), description=service.description,
            parameters={}, enforce_parameter_schema=False,
        )
        outcome[service.flow_name] = "updated" if current else "created"
    return outcome


def deploy_service_flows(settings: Settings | None = None, policy: Any = None) -> dict[str, str]:
    from prefect.client.orchestration import get_client

    settings = settings or get_settings()

    async def go():
        async with get_client() as client:
            return await deploy_service_flows_async(client, settings, policy)

    return run_sync(go())


def load_policy_or_none(settings: Settings | None = None):
    """The chasing policy, or None while the chasing core is not installed (defaults are used)."""
    try:
        from dondoc.chasing import load_policy
    except ImportError:
        return None
    return load_policy(settings or get_settings())


# -- the status run through Prefect -----------------------------------------------------------

def status_via_prefect(as_of: date | None = None, unit: str | None = None, office: str | None = None,
                       timeout: float = 300.0, poll_interval: float = 2.0) -> tuple[str, str]:
    """Trigger the status deployment and wait for it; returns (final state name, markdown artifact)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.deployments import run_deployment

    parameters = {"as_of": as_of.isoformat() if as_of else None, "unit": unit, "office": office}
    run = run_deployment(STATUS_DEPLOYMENT, parameters=parameters, timeout=timeout, tags=[TAG], poll_interval=poll_interval)
    state = run.state.name if run.state else "Unknown"

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
            )

    markdown = next((a.data for a in run_sync(artifacts()) if a.type == "markdown"), "")
    return state, markdown


# -- serving ----------------------------------------------------------------------------------

def wait_for_stop(children: list[Child], on_tick: Callable[[], None] | None = None, poll: float = 1.0) -> str:
    """Block until SIGINT/SIGTERM (returns "signal") or a child exits on its own (returns its name)."""
    stop = threading.Event()
    previous = {}

    def handler(signum, _frame):
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        while not stop.wait(poll):
            for child in children:
                if not child.running:
                    return child.name
            if on_tick:
                on_tick()
        return "signal"
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_all(children: list[Child]) -> None:
    """Stop children in reverse start order (worker before server)."""
    for child in reversed(children):
        child.stop()


def run_worker(console, pool: str, url: str, *, limit: int | None = None, settings: Settings | None = None) -> int:
    """``dondoc worker``: make sure the pool exists, run a process worker for it until Ctrl-C; 0 on a clean stop."""
    from prefect.client.orchestration import get_client

    from dondoc.prefect_server import start_worker

    async def ensure():
        async with get_client() as client:
            await ensure_work_pool(client, pool)

    with using(url):
        run_sync(ensure())
    home = prefect_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    child = start_worker(pool, url, log_path=home / "worker.log", limit=limit)
    console.print(f"Worker phục vụ work pool «{pool}» tại {url} (nhật ký: {home / 'worker.log'}). Ctrl-C để dừng.")
    try:
        reason = wait_for_stop([child])
    finally:
        stop_all([child])
    return 0 if reason == "signal" else 1

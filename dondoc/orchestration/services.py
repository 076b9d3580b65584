"""The deployments besides the items': the status, digest, progress, report, nudge, catch-up and re-sync flows,
and the status run through Prefect.

:func:`deploy_service_flows` keeps their deployments (compare first: nothing
changes on a re-run); :func:`status_via_prefect` triggers the status deployment,
waits, and returns its markdown artifact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from dondoc.configuration import Policy
from dondoc.orchestration.prefect_server import ensure_work_pool, pull_steps, run_sync
from dondoc.orchestration.names import flow_parameter_schema
from dondoc.orchestration.sync import TAG, delete_deployments
from dondoc.settings import Settings

SERVICE_TAG = "dondoc:service"  # what identifies the service deployments (their names may change)
STATUS_DEPLOYMENT = "dondoc-status/dondoc-status"
CATCH_UP_CRON = "30 9,11,14,16 * * *"  # the catch-up; on a day off or in quiet hours it only defers


# -- the other flows' deployments -------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    flow_name: str
    entrypoint: str
    cron: str | None
    description: str

    @property
    def deployment_name(self) -> str:
        """Each service its own name in the Prefect UI: the flow's ("dondoc-digest")."""
        return self.flow_name


def _at(moment: time, days: str = "*", dom: str = "*") -> str:
    return f"{moment.minute} {moment.hour} {dom} * {days}"


def services(policy: Policy) -> list[Service]:
    """The deployments besides the items', with their schedules (from the chasing policy)."""
    send_at, digest_at, nudge_day = policy.send_at, policy.digest_send_at, policy.nudge_day
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
        Service("dondoc-catchup", "flows/catchup.py:catchup_flow", CATCH_UP_CRON,
                "Nhiều lần mỗi ngày làm việc: gửi bù mọi tin đến hạn của mọi mục (kể cả khi lượt chạy của một mục "
                "bị lỗi), gửi lại tin chưa tới, báo văn phòng các tin không gửi được."),
        Service("dondoc-resync", "flows/resync.py:resync_flow", "0 2 1 * *",
                "Hằng tháng: đồng bộ lại lịch của mọi mục để khoảng lịch không bao giờ cạn."),
    ]


async def deploy_service_flows_async(client, settings: Settings, policy: Policy) -> dict[str, str]:
    """Create or update the service deployments (each named after its flow, with the flow's parameter schema,
    enforced), and delete the service deployments that are no longer wanted (an older name: they are told
    apart by the ``dondoc:service`` tag). Returns flow name -> created|updated|unchanged."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.exceptions import ObjectNotFound

    await ensure_work_pool(client, settings.prefect_pool, settings.pool_limit)
    outcome: dict[str, str] = {}
    kept = set()
    for service in services(policy):
        wanted = ((service.cron, settings.timezone),) if service.cron else ()
        tags = sorted({TAG, SERVICE_TAG})
        schema = flow_parameter_schema(service.entrypoint)
        try:
            current = await client.read_deployment_by_name(f"{service.flow_name}/{service.deployment_name}")
        except ObjectNotFound:
            current = None
        if current is not None:
            kept.add(current.id)
            have = tuple(sorted((getattr(s.schedule, "cron", None), getattr(s.schedule, "timezone", None))
                                for s in current.schedules))
            if (have, sorted(current.tags), current.work_pool_name, current.entrypoint, current.pull_steps,
                    current.description, bool(current.enforce_parameter_schema), current.parameter_openapi_schema) \
                    == (wanted, tags, settings.prefect_pool, service.entrypoint, pull_steps(), service.description,
                        True, schema):
                outcome[service.flow_name] = "unchanged"
                continue
        flow_id = await client.create_flow_from_name(service.flow_name)
        schedules = [DeploymentScheduleCreate(schedule=CronSchedule(cron=service.cron, timezone=settings.timezone),
                                              active=True)] if service.cron else []
        kept.add(await client.create_deployment(
            flow_id=flow_id, name=service.deployment_name, tags=tags, schedules=schedules,
            work_pool_name=settings.prefect_pool, entrypoint=service.entrypoint, pull_steps=pull_steps(),
            description=service.description, parameters={}, parameter_openapi_schema=schema,
            enforce_parameter_schema=True,
        ))
        outcome[service.flow_name] = "updated" if current else "created"
    stale = [d.id for d in await read_service_deployments(client) if d.id not in kept]
    if stale:
        await delete_deployments(client, stale)
    return outcome


async def read_service_deployments(client) -> list:
    """Every deployment tagged as a service of Đôn Đốc."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterTags

    return await client.read_deployments(deployment_filter=DeploymentFilter(tags=DeploymentFilterTags(all_=[TAG, SERVICE_TAG])))


def deploy_service_flows(settings: Settings, policy: Policy) -> dict[str, str]:
    from prefect.client.orchestration import get_client

    async def go():
        async with get_client() as client:
            return await deploy_service_flows_async(client, settings, policy)

    return run_sync(go())


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

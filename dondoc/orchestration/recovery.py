"""Re-running flow runs that crashed: a run the worker could not start, or whose process died.

A crashed item run would otherwise lose its day's reminders until the next catch-up.
``dondoc up`` and ``dondoc worker`` look every minute for Đôn Đốc runs that crashed in
the last day and start each again once, with the same parameters, from its own
deployment (a re-run that crashes too is started again, up to :data:`MAX_RERUNS`
times). The ledger keeps every message exactly once whichever run sends it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dondoc.clock import utcnow
from dondoc.orchestration.sync import TAG

RECOVERED = "dondoc:recovered"  # on a crashed run that was started again
RERUN = "dondoc:rerun"  # on the new run (with dondoc:rerun:N, its generation)
MAX_RERUNS = 3
LOOK_BACK = timedelta(days=1)


def _generation(tags: list[str]) -> int:
    return max((int(t.rsplit(":", 1)[1]) for t in tags if t.startswith(f"{RERUN}:") and t.rsplit(":", 1)[1].isdigit()),
               default=0)


async def rerun_crashed(client, now: datetime | None = None) -> list[str]:
    """Start again every crashed Đôn Đốc run of the last day not started again yet; returns the new run ids."""
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Scheduled

    now = now or utcnow()
    crashed = await client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CRASHED])),
            expected_start_time=FlowRunFilterExpectedStartTime(after_=now - LOOK_BACK),
            tags=FlowRunFilterTags(all_=[TAG]),
        ),
        limit=200,
    )
    started = []
    for run in crashed:
        tags = list(run.tags or [])
        generation = _generation(tags)
        if RECOVERED in tags or run.deployment_id is None or generation >= MAX_RERUNS:
            continue
        base = [t for t in tags if not t.startswith(RERUN)]
        new = await client.create_flow_run_from_deployment(
            run.deployment_id, parameters=run.parameters, state=Scheduled(),
            tags=sorted({*base, RERUN, f"{RERUN}:{generation + 1}"}),
        )
        await client.update_flow_run(run.id, tags=sorted({*tags, RECOVERED}))
        started.append(str(new.id))
    return started

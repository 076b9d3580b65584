"""Tasks around the chasing core: each wraps one function of ``dondoc.chasing``.

Sending is I/O: these tasks retry with explicit delays. The core records every
message in its ledger before and after sending, so a retry re-sends nothing.
"""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks import context

SEND_RETRIES = 2
SEND_DELAYS = [10, 60]


@task(name="chase-item", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def chase_item(item_id: int, as_of: datetime) -> dict:
    """Send what is due at ``as_of`` for one item (reminders, escalations)."""
    from dondoc.chasing import chase

    result = chase(context.engine(), as_of, item_ids=[item_id], policy=context.policy(), calendar=context.calendar())
    get_run_logger().info("Mục %s lúc %s: đã gửi %s, bỏ qua %s, hoãn %s", item_id, as_of.isoformat(), result.sent,
                          result.skipped, result.deferred)
    return {
        "sent": result.sent,
        "skipped": result.skipped,
        "deferred": result.deferred,
        "deferred_until": result.deferred_until.isoformat() if result.deferred_until else None,
        "messages": list(result.messages),
    }


@task(name="defer-item-run", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def defer(item_id: int, until: datetime) -> str | None:
    """Quiet hours or a day off: run this item's deployment again at ``until`` (the next working morning)."""
    from prefect import get_client
    from prefect.runtime import deployment
    from prefect.states import Scheduled

    if deployment.id is None:  # run by hand outside a deployment: the next scheduled checkpoint catches up
        return None
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(
            deployment.id,
            parameters={"item_id": item_id},
            state=Scheduled(scheduled_time=until),
            tags=["dondoc", "deferred"],
        )
    get_run_logger().info("Mục %s: hoãn gửi đến %s (giờ yên lặng hoặc ngày nghỉ)", item_id, until.isoformat())
    return str(run.id)


@task(name="send-digest", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def digest(as_of: datetime) -> int:
    from dondoc.chasing import send_digest

    return send_digest(context.engine(), as_of, policy=context.policy())


@task(name="send-progress-requests", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def progress_requests(as_of: datetime) -> int:
    from dondoc.chasing import send_progress_requests

    return send_progress_requests(context.engine(), as_of, policy=context.policy(), calendar=context.calendar())


@task(name="nudge-awaiting", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def nudge(as_of: datetime) -> int:
    from dondoc.chasing import nudge_awaiting

    return nudge_awaiting(context.engine(), as_of, policy=context.policy(), calendar=context.calendar())


@task(name="is-working-day", cache_policy=NO_CACHE)
def is_working_day(as_of: datetime) -> bool:
    return context.calendar().is_working_day(as_of.date())

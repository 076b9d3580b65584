"""Tasks around chasing: each wraps one use case of the application.

Sending is I/O: these tasks retry with explicit delays, and raise when a message
reached nobody so that the retry fires. The ledger claims each message before it
is sent and marks it by the outcome, so a retry re-sends only what failed.
"""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.runtime import SEND_DELAYS, SEND_RETRIES, NotDelivered, app


@task(name="chase-item", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def chase_item(item_id: int, as_of: datetime) -> dict:
    """Send what is due at ``as_of`` for one item (reminders, escalations)."""
    result = app().chase(as_of, item_ids=[item_id])
    get_run_logger().info("Mục %s lúc %s: đã gửi %s, không tới được %s, bỏ qua %s, hoãn %s", item_id,
                          as_of.isoformat(), result.sent, result.failed, result.skipped, result.deferred)
    if result.failed:
        raise NotDelivered(f"{result.failed} tin nhắn của mục {item_id} chưa tới được người nhận.")
    return result.as_json()


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
    return app().send_digest(as_of)


@task(name="send-progress-requests", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def progress_requests(as_of: datetime) -> int:
    return app().send_progress_requests(as_of)


@task(name="nudge-awaiting", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def nudge(as_of: datetime) -> int:
    return app().nudge_awaiting(as_of)


@task(name="is-working-day", cache_policy=NO_CACHE)
def is_working_day(as_of: datetime) -> bool:
    return app().calendar.is_working_day(as_of.date())

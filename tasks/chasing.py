"""Tasks around chasing: each wraps one use case of the application.

A message that reached nobody is not the task's failure: the ledger marks it
failed and the next run that meets it (the item's next run, the catch-up) sends it
again with a growing delay. The tasks retry, with explicit delays, only what
stopped them (the database, a bug); the ledger claims each delivery before it is
sent, so a retry never sends one twice.
"""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.runtime import SEND_DELAYS, SEND_RETRIES, app


@task(name="chase-item", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def chase_item(item_id: int, as_of: datetime, sweep: bool = False) -> dict:
    """Send what is due at ``as_of`` for one item (reminders, escalations, its deliveries to try again);
    with ``sweep`` (a scheduled run), first the morning's messages of every item if no run sent them yet."""
    result = app().chase_checkpoint(item_id, as_of, sweep=sweep)
    logger = get_run_logger()
    if result.swept:
        logger.info("Lượt chung buổi sáng %s (mọi mục): đã gửi %s, gửi lại được %s, chưa tới %s, bỏ qua %s",
                    as_of.date().isoformat(), result.swept["sent"], result.swept["redelivered"],
                    result.swept["failed"], result.swept["skipped"])
    logger.info("Mục %s lúc %s: đã gửi %s, gửi lại được %s, chưa tới %s, bỏ qua %s, hoãn %s", item_id,
                as_of.isoformat(), result.sent, result.redelivered, result.failed, result.skipped, result.deferred)
    if result.failed:
        logger.warning("%s tin của mục %s chưa tới người nhận: sẽ gửi lại ở lượt sau (dondoc deliveries --failed).",
                       result.failed, item_id)
    return result.as_json()


@task(name="catch-up", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def catch_up(as_of: datetime) -> dict:
    """Every item at once (set-based), every delivery due for another try, the summary of those given up."""
    result = app().chase(as_of)
    get_run_logger().info("Lượt bù lúc %s: đã gửi %s, gửi lại được %s, chưa tới %s, bỏ qua %s, hoãn %s, "
                          "báo không gửi được %s", as_of.isoformat(), result.sent, result.redelivered, result.failed,
                          result.skipped, result.deferred, result.given_up)
    return result.as_json()


@task(name="defer-item-run", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def defer(item_id: int, until: datetime, sweep: bool = False) -> str | None:
    """Quiet hours or a day off: run this item's deployment again at ``until`` (the next working morning)."""
    from prefect import get_client
    from prefect.runtime import deployment
    from prefect.states import Scheduled

    if deployment.id is None:  # run by hand outside a deployment: the next scheduled checkpoint catches up
        return None
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(
            deployment.id,
            parameters={"item_id": item_id, **({"sweep": True} if sweep else {})},
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

"""The item flow: what is due now for one item, sent (reminders before, escalations after the due date).

``dondoc sync`` deploys it once per item, scheduled at the item's checkpoints, with its parameter schema
published and enforced: ``item_id`` (set by the deployment) and ``as_of``, a day (YYYY-MM-DD, taken at the
send time of the chasing policy) or a moment, so a person can run an item "as of" a date from the Prefect
UI or ``prefect deployment run '<flow>/<deployment>' --param as_of=2026-04-15``.

The item's schedule starts its runs with ``sweep`` set: the first run of a morning sends that morning's
messages of every item at once (set-based), the others find theirs sent. A run started by hand leaves it
unset and sends only for its own item.
"""

from __future__ import annotations

from datetime import date, datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class ItemRun(BaseModel):
    item_id: int = Field(ge=1, description="Mã (id) của mục trong cơ sở dữ liệu Đôn Đốc")
    as_of: date | datetime | None = Field(
        default=None, description="Ngày (YYYY-MM-DD, tính vào giờ gửi tin) hoặc thời điểm; bỏ trống là bây giờ")
    sweep: bool = Field(
        default=False, description="Lượt theo lịch: gửi luôn tin cả buổi sáng của mọi mục nếu chưa lượt nào gửi")


def moment_of(as_of: date | datetime | None) -> datetime:
    """The moment a run is for: now, the given moment (local time when naive), or a day at the send time."""
    application = app()
    if as_of is None or isinstance(as_of, datetime):
        return application.local(as_of)
    return application.local(datetime.combine(as_of, application.policy.send_at))


@flow(name="dondoc-item", log_prints=False)
def item_flow(item_id: int, as_of: date | datetime | None = None, sweep: bool = False) -> dict:
    """Gửi nhắc việc và leo thang đến hạn của một mục.

    Args:
        item_id: Mã (id) của mục trong cơ sở dữ liệu Đôn Đốc (deployment đã đặt sẵn).
        as_of: Ngày (YYYY-MM-DD, tính vào giờ gửi tin) hoặc thời điểm; bỏ trống là bây giờ.
        sweep: Lượt theo lịch (lịch của mục đặt sẵn): gửi luôn tin cả buổi sáng của mọi mục nếu chưa lượt nào gửi.
    """
    run = ItemRun(item_id=item_id, as_of=as_of, sweep=sweep)
    moment = moment_of(run.as_of)
    get_run_logger().info("Đôn đốc mục %s lúc %s", run.item_id, moment.isoformat())
    result = chasing.chase_item(run.item_id, moment, run.sweep)
    if result["deferred"] and result["deferred_until"]:
        chasing.defer(run.item_id, datetime.fromisoformat(result["deferred_until"]), run.sweep)
    return result

"""The item flow: what is due now for one item, sent (reminders before, escalations after the due date).

``dondoc sync`` deploys it once per item, scheduled at the item's checkpoints.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class ItemRun(BaseModel):
    item_id: int = Field(ge=1, description="Mã (id) của mục trong cơ sở dữ liệu Đôn Đốc")
    as_of: datetime | None = Field(default=None, description="Thời điểm tính; bỏ trống là bây giờ")


@flow(name="dondoc-item", log_prints=False)
def item_flow(item_id: int, as_of: datetime | None = None) -> dict:
    run = ItemRun(item_id=item_id, as_of=as_of)
    moment = app().local(run.as_of)
    get_run_logger().info("Đôn đốc mục %s lúc %s", run.item_id, moment.isoformat())
    result = chasing.chase_item(run.item_id, moment)
    if result["deferred"] and result["deferred_until"]:
        chasing.defer(run.item_id, datetime.fromisoformat(result["deferred_until"]))
    return result

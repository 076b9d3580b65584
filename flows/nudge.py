"""The monthly nudge to the standing office: event items still awaiting their trigger."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class NudgeRun(BaseModel):
    as_of: datetime | None = Field(default=None, description="Thời điểm tính; bỏ trống là bây giờ")


@flow(name="dondoc-nudge")
def nudge_flow(as_of: datetime | None = None) -> int:
    """Nhắc văn phòng các mục đang chờ sự kiện.

    Args:
        as_of: Thời điểm tính; bỏ trống là bây giờ.
    """
    moment = app().local(NudgeRun(as_of=as_of).as_of)
    sent = chasing.nudge(moment)
    get_run_logger().info("Đã nhắc %s mục đang chờ sự kiện", sent)
    return sent

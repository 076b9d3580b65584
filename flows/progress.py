"""The daily check for progress requests: one message per office before each report send deadline."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class ProgressRun(BaseModel):
    as_of: datetime | None = Field(default=None, description="Thời điểm tính; bỏ trống là bây giờ")


@flow(name="dondoc-progress")
def progress_flow(as_of: datetime | None = None) -> int:
    """Yêu cầu các cơ quan báo cáo tiến độ trước hạn gửi báo cáo.

    Args:
        as_of: Thời điểm tính; bỏ trống là bây giờ.
    """
    moment = app().local(ProgressRun(as_of=as_of).as_of)
    sent = chasing.progress_requests(moment)
    get_run_logger().info("Đã gửi %s yêu cầu báo cáo tiến độ", sent)
    return sent

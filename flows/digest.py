"""The daily leadership digest: one message per leader with the items escalated to them (working days only)."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class DigestRun(BaseModel):
    as_of: datetime | None = Field(default=None, description="Thời điểm tính; bỏ trống là bây giờ")


@flow(name="dondoc-digest")
def digest_flow(as_of: datetime | None = None) -> int:
    """Bản tổng hợp hằng ngày cho lãnh đạo (chỉ ngày làm việc).

    Args:
        as_of: Thời điểm tính; bỏ trống là bây giờ.
    """
    moment = app().local(DigestRun(as_of=as_of).as_of)
    if not chasing.is_working_day(moment):
        get_run_logger().info("%s không phải ngày làm việc: không gửi bản tổng hợp", moment.date().isoformat())
        return 0
    sent = chasing.digest(moment)
    get_run_logger().info("Đã gửi %s bản tổng hợp cho lãnh đạo", sent)
    return sent

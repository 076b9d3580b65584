"""The monthly re-sync: every item deployment gets its schedule for the next horizon, so it never runs dry."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks.runtime import app
from tasks.sync import sync_items


class ResyncRun(BaseModel):
    as_of: date | None = Field(default=None, description="Ngày bắt đầu khoảng lịch; bỏ trống là hôm nay")
    dry_run: bool = Field(default=False, description="Chỉ tính, không thay đổi Prefect")


@flow(name="dondoc-resync")
def resync_flow(as_of: date | None = None, dry_run: bool = False) -> dict:
    """Đồng bộ lại lịch nhắc của mọi mục cho khoảng lịch tới.

    Args:
        as_of: Ngày bắt đầu khoảng lịch (YYYY-MM-DD); bỏ trống là hôm nay.
        dry_run: Chỉ tính, không thay đổi Prefect.
    """
    run = ResyncRun(as_of=as_of, dry_run=dry_run)
    report = sync_items(run.as_of or app().today(), run.dry_run)
    get_run_logger().info(
        "Đồng bộ: tạo %(created)s, cập nhật %(updated)s, xóa %(deleted)s, giữ nguyên %(unchanged)s", report
    )
    return report

"""The daily report run: on a draft or send day, compile each unit's periodic report, send it, publish its summary."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import report
from tasks.runtime import app


class ReportDelivery(BaseModel):
    as_of: date | None = Field(default=None, description="Ngày chạy (YYYY-MM-DD); bỏ trống là hôm nay")


@flow(name="dondoc-report")
def report_flow(as_of: date | None = None) -> dict:
    """Lập và gửi báo cáo định kỳ CCHC vào ngày dự thảo và ngày hạn gửi.

    Args:
        as_of: Ngày chạy (YYYY-MM-DD); bỏ trống là hôm nay.
    """
    day = ReportDelivery(as_of=as_of).as_of or app().today()
    runs = report.deliver(day)
    keys = report.publish(runs)
    get_run_logger().info("Ngày %s: %s báo cáo đã lập và gửi", day.isoformat(), len(runs))
    return {"as_of": day.isoformat(), "reports": [f"{r['period']}:{r['stage']}:{r['unit_slug']}" for r in runs],
            "artifacts": keys}

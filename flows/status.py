"""The on-demand status run as a deployment: a table and a markdown artifact under ``status-<unit|all>``."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from pydantic import BaseModel, Field

from tasks import status
from tasks.runtime import app


class StatusRun(BaseModel):
    as_of: date | None = Field(default=None, description="Tính đến ngày; bỏ trống là hôm nay")
    unit: str | None = Field(default=None, max_length=200, description="Chỉ một đơn vị (tên hoặc mã)")
    office: str | None = Field(default=None, max_length=200, description="Chỉ một cơ quan chủ trì")


@flow(name="dondoc-status")
def status_flow(as_of: date | None = None, unit: str | None = None, office: str | None = None) -> dict:
    """Tình hình thực hiện tính đến một ngày (như dondoc status).

    Args:
        as_of: Tính đến ngày (YYYY-MM-DD); bỏ trống là hôm nay.
        unit: Chỉ một đơn vị (tên), vd Xã Ngọc Liên.
        office: Chỉ một cơ quan chủ trì (tên).
    """
    run = StatusRun(as_of=as_of, unit=unit, office=office)
    day = run.as_of or app().today()
    report = status.run_status(day, run.unit, run.office)
    key = status.publish(report, run.unit, run.office)
    get_run_logger().info("Tình hình đến %s: %s (artifact %s)", day.isoformat(), report["totals"], key)
    return {"as_of": day.isoformat(), "totals": report["totals"], "artifact": key}

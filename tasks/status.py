"""Tasks of the status flow: the set-based status run, and its artifacts."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from dondoc.domain.status import Shown
from dondoc.text import slugify
from tasks.runtime import app


@task(name="run-status", cache_policy=NO_CACHE)
def run_status(as_of: date, unit: str | None = None, office: str | None = None) -> dict:
    """The status run for all units, one unit or one office, as JSON."""
    return app().status(as_of, unit=unit, office=office).as_json()


def artifact_key(unit: str | None, office: str | None) -> str:
    """``status-<unit>`` (or ``status-all``), plus ``-<office>`` when one office is asked for.

    >>> artifact_key("Xã Ngọc Liên", None)
    'status-xa-ngoc-lien'
    >>> artifact_key(None, None)
    'status-all'
    """
    key = f"status-{slugify(unit, limit=60) if unit else 'all'}"
    return f"{key}-{slugify(office, limit=60)}" if office else key


def _label(value: str) -> str:
    label = Shown(value).label
    return label[0].upper() + label[1:]


def markdown(report: dict, title: str) -> str:
    lines = [f"# Tình hình thực hiện: {title}", "", f"Tính đến ngày {date.fromisoformat(report['as_of']):%d/%m/%Y}.", "",
             "## Tổng hợp", "", "| Trạng thái | Số mốc |", "| --- | --- |"]
    for key, count in report["totals"].items():
        lines.append(f"| {_label(key)} | {count} |")
    lines += ["", "## Theo cơ quan chủ trì", "", "| Cơ quan | Quá hạn | Sắp đến hạn | Trong hạn | Hoàn thành |",
              "| --- | --- | --- | --- | --- |"]
    for group in report["by_office"]:
        t = group["totals"]
        lines.append(f"| {group['office']} | {t.get('qua_han', 0)} | {t.get('sap_den_han', 0)} | {t.get('trong_han', 0)} | "
                     f"{t.get('hoan_thanh_dung_han', 0) + t.get('hoan_thanh_tre_han', 0)} |")
    overdue = [r for r in report["rows"] if r["shown"] == "qua_han"]
    if overdue:
        lines += ["", "## Quá hạn", ""]
        lines += [f"- **{r['item']}** ({', '.join(r['lead'])}): quá hạn {r['days_overdue']} ngày, hạn "
                  f"{date.fromisoformat(r['extended_due'] or r['effective_due']):%d/%m/%Y}" for r in overdue]
    return "\n".join(lines) + "\n"


@task(name="publish-status", cache_policy=NO_CACHE)
def publish(report: dict, unit: str | None, office: str | None) -> str:
    """A table artifact (one row per milestone) and a markdown summary, under stable keys."""
    key = artifact_key(unit, office)
    title = " · ".join(x for x in (unit, office) if x) or "tất cả đơn vị"
    table = [
        {"Mục": r["item"], "Đơn vị": r["unit"], "Chủ trì": ", ".join(r["lead"]), "Mốc": r["label"] or "",
         "Hạn": r["extended_due"] or r["effective_due"] or "", "Trạng thái": r["shown_label"],
         "Ghi chú": r["last_note"] or ""}
        for r in report["rows"]
    ]
    create_table_artifact(table=table, key=f"{key}-table", description=f"Bảng tình hình: {title}")
    create_markdown_artifact(markdown=markdown(report, title), key=key, description=f"Tình hình thực hiện: {title}")
    return key

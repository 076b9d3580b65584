"""Tasks of the status flow: the set-based status run, and its artifacts."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from tasks import context


@task(name="run-status", cache_policy=NO_CACHE)
def run_status(as_of: date, unit: str | None = None, office: str | None = None) -> dict:
    """The status run (``dondoc.statusrun.run_status``) for all units, one unit or one office, as JSON."""
    from dondoc.db import read_session
    from dondoc.plans import find_offices, find_unit
    from dondoc.settings import get_settings
    from dondoc.statusrun import run_status as core_run_status

    engine = context.engine()
    unit_ids = office_ids = None
    with read_session(engine) as session:
        if unit:
            unit_ids = [find_unit(session, unit).id]
        if office:
            office_ids = [o.id for o in find_offices(session, office, unit_ids[0] if unit_ids else None)]
    report = core_run_status(
        engine, as_of, context.calendar(), due_soon_working_days=get_settings().due_soon_working_days,
        unit_ids=unit_ids, office_ids=office_ids,
    )
    return report.as_json()


def artifact_key(unit: str | None, office: str | None) -> str:
    """``status-<unit>`` (or ``status-all``), plus ``-<office>`` when one office is asked for.

    >>> artifact_key("Xã Ngọc Liên", None)
    'status-xa-ngoc-lien'
    >>> artifact_key(None, None)
    'status-all'
    """
    key = f"status-{context.slug(unit) if unit else 'all'}"
    return f"{key}-{context.slug(office)}" if office else key


def _label(value: str) -> str:
    from dondoc.status import Shown

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

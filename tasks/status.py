"""Tasks of the status flow: the set-based status run, and its artifacts."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from dondoc.text import slugify
from dondoc.usecases.status_view import compact_lines
from tasks.runtime import app

SUMMARY_FENCE = "```text"  # the compact status, line for line as «dondoc status» prints it


@task(name="run-status", cache_policy=NO_CACHE)
def run_status(as_of: date, unit: str | None = None, office: str | None = None) -> dict:
    """The status run for all units, one unit or one office, as JSON, with its compact lines under "lines"."""
    report = app().status(as_of, unit=unit, office=office)
    return {**report.as_json(), "lines": [line.text for line in compact_lines(report)]}


def artifact_key(unit: str | None, office: str | None) -> str:
    """``status-<unit>`` (or ``status-all``), plus ``-<office>`` when one office is asked for.

    >>> artifact_key("Xã Ngọc Liên", None)
    'status-xa-ngoc-lien'
    >>> artifact_key(None, None)
    'status-all'
    """
    key = f"status-{slugify(unit, limit=60) if unit else 'all'}"
    return f"{key}-{slugify(office, limit=60)}" if office else key


def markdown(report: dict, title: str) -> str:
    """A title, then the compact status in a monospaced block (its columns line up in the Prefect UI)."""
    return "\n".join([f"# Tình hình thực hiện: {title}", "", SUMMARY_FENCE, *report["lines"], "```"]) + "\n"


@task(name="publish-status", cache_policy=NO_CACHE)
def publish(report: dict, unit: str | None, office: str | None) -> str:
    """A table artifact (one row per milestone) and a markdown summary, under stable keys."""
    key = artifact_key(unit, office)
    title = " · ".join(x for x in (unit, office) if x) or "tất cả đơn vị"
    table = [
        {"Mục": r["number"], "Đơn vị": r["unit"], "Nội dung": r["content"][:120], "Chủ trì": ", ".join(r["lead"]),
         "Mốc": r["label"] or "",
         "Hạn": r["extended_due"] or r["effective_due"] or "", "Trạng thái": r["shown_label"],
         "Ghi chú": r["last_note"] or ""}
        for r in report["rows"]
    ]
    create_table_artifact(table=table, key=f"{key}-table", description=f"Bảng tình hình: {title}")
    create_markdown_artifact(markdown=markdown(report, title), key=key, description=f"Tình hình thực hiện: {title}")
    return key

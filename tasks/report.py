"""Tasks of the report flow: deliver the reports due on a day (all units at once), publish their summaries."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from dondoc.text import slugify
from tasks.runtime import SEND_DELAYS, SEND_RETRIES, app


@task(name="deliver-reports", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def deliver(day: date) -> list[dict]:
    """Compile, record and send the reports due on ``day``; recorded runs are never built or sent
    again, so a retry resumes where the failed attempt stopped."""
    runs = app().deliver_reports(day)
    return [
        {"run_id": r.run_id, "unit": r.unit, "unit_slug": r.unit_slug, "period": r.period, "title": r.period_title,
         "stage": r.stage, "files": [str(p) for p in r.paths], "markdown": r.markdown, "sent": r.sent}
        for r in runs
    ]


def artifact_key(unit_slug: str, period: str) -> str:
    """``bao-cao-<unit>-<period>``: lowercase ASCII letters, digits and dashes.

    >>> artifact_key("xa-ngoc-lien", "2026-Q1")
    'bao-cao-xa-ngoc-lien-2026-q1'
    """
    return slugify(f"bao-cao-{unit_slug}-{period}")


@task(name="publish-reports", cache_policy=NO_CACHE)
def publish(runs: list[dict]) -> list[str]:
    """Each report's Markdown as an artifact; the draft and the final of a period share its key."""
    keys = []
    for run in runs:
        key = artifact_key(run["unit_slug"], run["period"])
        stage = "Dự thảo" if run["stage"] == "draft" else "Bản chính thức"
        create_markdown_artifact(markdown=run["markdown"], key=key,
                                 description=f"{stage}: báo cáo CCHC {run['title']}, {run['unit']}")
        keys.append(key)
    get_run_logger().info("Đã đăng %s bản tóm tắt báo cáo: %s", len(keys), ", ".join(keys) or "không có")
    return keys

"""Tasks of the report flow: deliver the reports due on a day (all units at once), publish their summaries."""

from __future__ import annotations

import re
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tasks import context

SEND_RETRIES = 2
SEND_DELAYS = [10, 60]


@task(name="deliver-reports", retries=SEND_RETRIES, retry_delay_seconds=SEND_DELAYS, cache_policy=NO_CACHE)
def deliver(day: date) -> list[dict]:
    """Compile, record and send the reports due on ``day`` (``dondoc.reports.delivery``); recorded runs are
    never built or sent again, so a retry resumes where the failed attempt stopped."""
    from dondoc.reports.delivery import deliver_due_reports
    from dondoc.settings import get_settings

    runs = deliver_due_reports(context.engine(), day, settings=get_settings(), policy=context.policy(),
                               calendar=context.calendar())
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
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]+", "-", f"bao-cao-{unit_slug}-{period}".lower())).strip("-")


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

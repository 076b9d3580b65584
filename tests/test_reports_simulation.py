"""Plan 001 walked through every day of 2026: each report, draft and final, exactly once, on its day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from conftest import build_app, PLAN_001, seed_path
from dondoc.storage.db import read_session
from dondoc.storage.delivery_log import ChaseEntry
from dondoc.storage.models import ReportRun
from dondoc.reports.delivery import deliver_due_reports
from dondoc.settings import get_settings
from notifications.ledger import Delivery
from notifications.testing import write_config

D = date

# (period, stage, the day it is built and sent): unit -> level above deadlines of reporting.yaml,
# drafts 3 working days before.
EXPECTED = [
    ("2026-Q1", "draft", D(2026, 3, 16)),
    ("2026-Q1", "final", D(2026, 3, 19)),
    ("2026-H1", "draft", D(2026, 6, 16)),
    ("2026-H1", "final", D(2026, 6, 19)),
    ("2026-Q3", "draft", D(2026, 9, 16)),
    ("2026-Q3", "final", D(2026, 9, 21)),  # 19/09 is a Saturday
    ("2026", "draft", D(2026, 12, 16)),
    ("2026", "final", D(2026, 12, 21)),  # 19/12 is a Saturday
]


@pytest.fixture
def plan001(engine, tmp_path, monkeypatch):
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return engine


def walk(engine) -> list[tuple[str, str, date]]:
    app = build_app()  # the configuration is read once, not once a day
    produced = []
    day = D(2026, 1, 1)
    while day <= D(2026, 12, 31):
        for run in deliver_due_reports(app, day):
            produced.append((run.period, run.stage, day))
        day += timedelta(days=1)
    return produced


def test_walk_through_2026_produces_each_report_once_on_its_day(plan001):
    engine = plan001
    assert walk(engine) == EXPECTED

    with read_session(engine) as session:
        rows = session.scalars(select(ReportRun).order_by(ReportRun.id)).all()
        assert [(r.period, r.stage, r.state, r.as_of) for r in rows] == [
            (p, s, "delivered", {"2026-Q1": D(2026, 3, 14), "2026-H1": D(2026, 6, 14), "2026-Q3": D(2026, 9, 14),
                                 "2026": D(2026, 12, 14)}[p]) for p, s, _day in EXPECTED]
        ledger = Counter((e.key.split(":")[2], e.key.split(":")[3], e.channel, e.state) for e in session.scalars(
            select(ChaseEntry).where(ChaseEntry.purpose == "report")))
        deliveries = session.scalar(select(func.count()).select_from(Delivery))
    for period, stage, _day in EXPECTED:
        # the draft: an email and a Zalo note for the standing office; the final: the same for leadership too
        n = 1 if stage == "draft" else 2
        assert ledger[(period, stage, "email", "sent")] == n and ledger[(period, stage, "zalo", "sent")] == n
    assert sum(ledger.values()) == 24
    # people (notifications.testing): standing office 1, leadership 2, all three with Zalo ids: (1 + 1) * 4 + (3 + 3) * 4
    assert deliveries == 32
    for period, stage, _day in EXPECTED:
        folder = get_settings().reports_path / "xa-ngoc-lien" / period / stage
        assert {p.suffix for p in folder.iterdir()} >= {".docx", ".xlsx", ".md"}

    assert walk(engine) == []  # a second walk: nothing new
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReportRun)) == 8
        assert session.scalar(select(func.count()).select_from(Delivery)) == deliveries


def test_report_flow_through_prefect_publishes_the_markdown_artifact(sqlite_engine, tmp_path, monkeypatch):
    """The flow against a real local Prefect server started for this test: the final of Quý I
    on its send day, its Markdown under ``bao-cao-xa-ngoc-lien-2026-q1``."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    from dondoc.orchestration.prefect_server import LocalServer

    from flows.report import report_flow

    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")

    async def artifacts(key: str):
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    server = LocalServer(tmp_path / "prefect", port=0).start(timeout=120)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}):
            assert report_flow(as_of="2026-03-13") == {"as_of": "2026-03-13", "reports": [], "artifacts": []}
            result = report_flow(as_of="2026-03-19")
            assert result == {"as_of": "2026-03-19", "reports": ["2026-Q1:final:xa-ngoc-lien"],
                              "artifacts": ["bao-cao-xa-ngoc-lien-2026-q1"]}
            assert report_flow(as_of="2026-03-19")["reports"] == []  # recorded: nothing twice
            (artifact,) = asyncio.run(artifacts("bao-cao-xa-ngoc-lien-2026-q1"))
    finally:
        server.stop()
    folder = get_settings().reports_path / "xa-ngoc-lien" / "2026-Q1" / "final"
    assert artifact.type == "markdown"
    assert artifact.data == (folder / "bao-cao-cchc-xa-ngoc-lien-2026-q1.md").read_text(encoding="utf-8")

"""An item whose deadline nobody could read is tracked, never invisible: it is in the status run (text and
JSON), on the pages, in the report and the review list, with no due date (nothing provisional drives its
status or reminders) until a person sets one; then it is chased like any other, its reports kept."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from conftest import PLAN_002, build_app, install_process_app, seed_path
from dondoc.cli import app as cli
from dondoc.domain.status import Shown
from dondoc.importer import parse_plan_file
from dondoc.storage.db import read_session
from dondoc.storage.models import Occurrence

UNIT = "Xã Trường Xuân"
UNREADABLE = {"3": "Tuần sau khi có ý kiến", "5": "Quý I/2026; xyz abc", "7": "Trong kỳ tới, tùy tình hình"}


def _import(app):
    parsed = parse_plan_file(seed_path(PLAN_002))
    for item in parsed.items:
        if item.number in UNREADABLE:
            item.deadline = UNREADABLE[item.number]
    return app.import_plan(parsed, unit_name=UNIT)


def test_unreadable_deadlines_are_tracked_with_no_date(app, tmp_path):
    report = _import(app)
    assert sorted(n for n, _t, _p in report.needs_review) == sorted(UNREADABLE)
    run = app.status(date(2026, 6, 30))
    unset = {r.item.rsplit("#", 1)[-1]: r for r in run.unset}
    assert set(unset) == set(UNREADABLE)
    for number, row in unset.items():
        assert row.shown is Shown.UNSET and row.nominal_due is None and row.deadline_text == UNREADABLE[number]
    assert run.totals[Shown.UNSET.value] == 3
    # "Quý I/2026; …": what was understood gives no provisional date (item 5 is not overdue on 30/06)
    assert not [r for r in run.rows if r.item.endswith("#5") and r.shown is not Shown.UNSET]
    with read_session(app.engine) as s:
        ids = [r.item_id for r in unset.values()]
        assert s.scalar(select(Occurrence.id).where(Occurrence.item_id.in_(ids))) is None
    data = json.loads(json.dumps(run.as_json()))
    assert {u["item"].rsplit("#", 1)[-1] for u in data["unset"]} == set(UNREADABLE)

    # the review list, readable at 80 columns, names each item and the command that sets it
    install_process_app(app)
    review = CliRunner().invoke(cli, ["review"], env={"COLUMNS": "80"})
    assert review.exit_code == 0, review.output
    for number in UNREADABLE:
        assert f"Mục {number}:" in review.output and f"dondoc set-deadline {number} " in review.output
    assert max(len(line) for line in review.output.splitlines()) <= 80
    status = CliRunner().invoke(cli, ["status", "--as-of", "2026-06-30"], env={"COLUMNS": "80"})
    assert "Chưa xác định thời hạn" in status.output

    # the Word report lists them
    app.build_report(UNIT, "2026-H1", tmp_path / "bc")
    from docx import Document

    [out] = list((tmp_path / "bc").glob("*.docx"))
    text = "\n".join(c.text for t in Document(out).tables for row in t.rows for c in row.cells)
    assert all(UNREADABLE[n][:20] in text for n in UNREADABLE)


def test_setting_the_deadline_makes_it_a_dated_item_and_keeps_its_reports(app):
    _import(app)
    app.record_update("3", "dang_thuc_hien", on=date(2026, 3, 2), note="Đang chờ ý kiến", unit=UNIT)
    app.set_deadline("3", "Quý II/2026", unit=UNIT)
    rows = [r for r in app.status(date(2026, 7, 1)).rows if r.item.endswith("#3")]
    assert [(r.shown, r.nominal_due) for r in rows] == [(Shown.OVERDUE, date(2026, 6, 30))]
    assert rows[0].last_note == "Đang chờ ý kiến"
    # a re-import of the same file keeps the meaning set by hand
    again = _import(app)
    assert "3" not in [n for n, _t, _p in again.needs_review]


def test_the_standing_office_is_reminded_of_deadlines_to_set(app):
    _import(app)
    sent = build_app(datetime(2026, 4, 1, 9, 0)).nudge_awaiting(datetime(2026, 4, 1, 9, 0))
    assert sent >= 1

"""Shown status per due date, and the on-demand status run."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from calendars.workdays import vietnam_calendar
from conftest import build_app, PLAN_001, PLAN_002, seed_path
from dondoc.domain.rules import InvalidUpdate
from dondoc.domain.status import Shown, shown_status
from dondoc.storage.statusrun import run_status

D = date
CAL = vietnam_calendar([2026, 2027], extra_days_off=[D(2026, 1, 2)], extra_working_days=[D(2026, 1, 10)])


@pytest.mark.parametrize(
    "kind, deadline, done_on, as_of, expected",
    [
        ("fixed", D(2026, 3, 31), D(2026, 3, 31), D(2026, 4, 10), Shown.DONE_ON_TIME),
        ("fixed", D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 10), Shown.DONE_LATE),
        ("fixed", D(2026, 3, 31), None, D(2026, 4, 1), Shown.OVERDUE),
        ("fixed", D(2026, 3, 31), None, D(2026, 3, 31), Shown.DUE_SOON),  # the due day itself
        ("fixed", D(2026, 3, 31), None, D(2026, 3, 24), Shown.DUE_SOON),  # 5 working days before
        ("fixed", D(2026, 3, 31), None, D(2026, 3, 23), Shown.ON_TRACK),  # 6 working days before
        ("fixed", D(2026, 2, 23), None, D(2026, 2, 13), Shown.DUE_SOON),  # Tết: only 1 working day between
        ("fixed", D(2026, 3, 31), D(2026, 4, 20), D(2026, 4, 10), Shown.OVERDUE),  # done later than as_of: not yet
        ("yearly", D(2026, 12, 31), None, D(2026, 6, 1), Shown.ON_TRACK),
        ("event", None, None, D(2026, 6, 1), Shown.AWAITING),
        ("event", None, D(2026, 5, 1), D(2026, 6, 1), Shown.DONE_ON_TIME),
        ("continuous", None, None, D(2026, 6, 1), Shown.CONTINUOUS),
        ("unset", None, None, D(2026, 6, 1), Shown.UNSET),
        ("unset", None, D(2026, 5, 1), D(2026, 6, 1), Shown.DONE_ON_TIME),
    ],
)
def test_shown_status_table(kind, deadline, done_on, as_of, expected):
    assert shown_status(kind, deadline, done_on, as_of, CAL, 5) is expected


def test_colours_follow_the_domain_table():
    assert {s.label: s.colour for s in Shown} == {
        "hoàn thành đúng hạn": "green",
        "hoàn thành trễ hạn": "orange",
        "chưa xác định thời hạn": "purple",
        "trong hạn": "blue",
        "sắp đến hạn": "amber",
        "quá hạn": "red",
        "chờ": "grey",
        "thường xuyên": "teal",
    }


def _import(engine, name=PLAN_001, unit="Xã Ngọc Liên"):
    return build_app().import_file(seed_path(name), unit_name=unit)


def _run(engine, as_of, **kw):
    return run_status(engine, as_of, build_app().calendar, due_soon_working_days=5, **kw)


def _row(report, number, label=None):
    rows = [r for r in report.rows if r.item.endswith(f"#{number}") and (label is None or r.label == label)]
    assert len(rows) == 1, rows
    return rows[0]


def test_status_run_on_plan_001(engine):
    _import(engine)
    # Item 43 "Quý I/2026" done on time; item 49 "Quý II/2026" blocked; item 5 "Năm 2026" done late (in 2027).
    build_app().record_update("43", "hoan_thanh", on=D(2026, 3, 20), product="Kế hoạch số 12/KH-UBND")
    build_app().record_update("49", "vuong_mac", on=D(2026, 6, 1), note="Chưa có hướng dẫn của Sở Nội vụ")
    build_app().record_update("7", "dang_thuc_hien", on=D(2026, 4, 2), note="Đã rà soát 15 TTHC")
    report = _run(engine, D(2026, 7, 15))
    assert _row(report, 43).shown is Shown.DONE_ON_TIME and _row(report, 43).product == "Kế hoạch số 12/KH-UBND"
    r49 = _row(report, 49)
    assert r49.shown is Shown.OVERDUE and r49.days_overdue == 15 and r49.stored == "vuong_mac"
    assert r49.last_note == "Chưa có hướng dẫn của Sở Nội vụ"
    assert _row(report, 7).shown is Shown.CONTINUOUS and _row(report, 7).last_note == "Đã rà soát 15 TTHC"
    assert _row(report, 4).shown is Shown.AWAITING
    assert _row(report, 5).shown is Shown.ON_TRACK
    # Overdue rows come first.
    assert report.rows[0].shown is Shown.OVERDUE
    totals = report.totals
    assert sum(totals.values()) == len(report.rows)
    assert totals["qua_han"] == sum(1 for r in report.rows if r.shown is Shown.OVERDUE) >= 2  # 43's peers: 37 (01/2026)
    # The same day a year later: item 5 not done -> overdue; then done late.
    later = _run(engine, D(2027, 1, 5))
    assert _row(later, 5).shown is Shown.OVERDUE
    build_app().record_update("5", "hoan_thanh", on=D(2027, 1, 20), product="Báo cáo số 1/BC-UBND")
    assert _row(_run(engine, D(2027, 2, 1)), 5).shown is Shown.DONE_LATE
    # Looking back: the update recorded for 2027 does not change what 2026 looked like.
    assert _row(_run(engine, D(2026, 7, 15)), 5).shown is Shown.ON_TRACK


def test_yearly_item_moves_to_next_year_once_done(engine):
    _import(engine, PLAN_002, "Xã Trường Xuân")
    # Item 22 "Quý I hàng năm".
    build_app().record_update("22", "hoan_thanh", on=D(2026, 3, 10), product="Báo cáo số 1/BC-UBND")
    assert _row(_run(engine, D(2026, 3, 20)), 22).shown is Shown.DONE_ON_TIME
    row = _row(_run(engine, D(2026, 5, 1)), 22)
    assert row.nominal_due == D(2026, 3, 31) and row.shown is Shown.DONE_ON_TIME  # this year's, done
    row = _row(_run(engine, D(2027, 1, 5)), 22)
    assert row.nominal_due == D(2027, 3, 31) and row.shown is Shown.ON_TRACK
    # The next update without a date attaches to the 2027 due date.
    rec = build_app().record_update("22", "hoan_thanh", on=D(2027, 4, 2), product="Báo cáo số 1/BC-UBND")
    assert rec.due == D(2027, 3, 31)
    assert _row(_run(engine, D(2027, 4, 5)), 22).shown is Shown.DONE_LATE


def test_extension_keeps_original_date(engine):
    _import(engine)
    number, previous, new = build_app().extend("49", D(2026, 8, 31), by="Chủ tịch UBND xã", on=D(2026, 6, 20))
    assert previous == D(2026, 6, 30) and new == D(2026, 8, 31)
    row = _row(_run(engine, D(2026, 7, 15)), 49)
    assert row.shown is Shown.ON_TRACK and row.effective_due == D(2026, 6, 30) and row.extended_due == D(2026, 8, 31)
    build_app().record_update("49", "hoan_thanh", on=D(2026, 8, 20), product="Báo cáo số 1/BC-UBND")
    assert _row(_run(engine, D(2026, 9, 1)), 49).shown is Shown.DONE_ON_TIME
    with pytest.raises(InvalidUpdate):
        build_app().extend("49", D(2026, 8, 1), by="Chủ tịch UBND xã", on=D(2026, 6, 20))


def test_trigger_gives_event_item_a_due_date(engine):
    _import(engine)
    assert _row(_run(engine, D(2026, 3, 1)), 4).shown is Shown.AWAITING
    build_app().trigger("4", on=D(2026, 3, 2), due=D(2026, 3, 23), note="Công văn 123/SNV")
    row = _row(_run(engine, D(2026, 3, 18)), 4)
    assert row.shown is Shown.DUE_SOON and row.nominal_due == D(2026, 3, 23)
    assert _row(_run(engine, D(2026, 3, 24)), 4).shown is Shown.OVERDUE


def test_office_and_area_filters(engine):
    _import(engine)
    from dondoc.storage.db import read_session
    from dondoc.storage.lookups import find_offices

    with read_session(engine) as s:
        kt = [o.id for o in find_offices(s, "Phòng Kinh tế")]
    report = _run(engine, D(2026, 5, 1), office_ids=kt)
    numbers = {r.item.rsplit("#", 1)[1] for r in report.rows}
    named = {"5", "39", "40", "41", "42", "43", "44", "45", "46"}
    group_led = {"1", "4", "20", "11", "12", "13", "14", "15", "16", "17", "19", "22", "33", "37", "52", "55"}
    assert numbers == named | group_led  # "Các phòng, ban, ngành, đơn vị cấp xã" leads include every office
    assert "2" not in numbers and "23" not in numbers
    area = _run(engine, D(2026, 5, 1), area="V")
    assert {r.area_code for r in area.rows} == {"V"}


def test_status_run_is_set_based(engine):
    """The number of SQL statements does not grow with the number of items."""
    _import(engine)

    def counted_run():
        statements = []
        listener = lambda *a, **k: statements.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            report = _run(engine, D(2026, 5, 1))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return report, len(statements)

    small, small_count = counted_run()
    for unit in ("Xã Hai", "Xã Ba", "Xã Bốn"):
        _import(engine, PLAN_001, unit)
    big, big_count = counted_run()
    assert len(big.rows) == 4 * len(small.rows)
    assert small_count == big_count <= 8

"""Province report: one status run over every commune, numbers equal to each commune's own run and their sum."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import build_app, ARTIFACTS
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import event, select

from dondoc.storage.db import read_session
from dondoc.storage.models import Unit
from dondoc.reports.build import build_report
from dondoc.reports.chart import chart_data
from dondoc.reports.content import format_rate
from dondoc.reports.docx_report import STATUS_ORDER as ALL_STATUSES
from dondoc.reports.province import compile_province, is_aggregate, member_units
from dondoc.reports.province_docx import PROVINCE_PARTS, PROVINCE_SECTIONS, TOTAL_LABEL
from dondoc.reports.xlsx_annex import HEADER_ROW, PROVINCE_HEADER, SUMMARY_ORDER, SUMMARY_SHEET, summary_header

STATUS_ORDER = tuple(s for s in ALL_STATUSES if s.value != "chua_xac_dinh")  # the demo communes read every deadline
SUMMARY_HEADER = summary_header(tuple(s for s in SUMMARY_ORDER if s.value != "chua_xac_dinh"))
from dondoc.domain.status import Shown
from dondoc.storage.statusrun import run_status

D = date
PROVINCE = "Tỉnh Thanh Hóa"
PERIOD = "2026-H1"  # cut-off 14/06/2026
CUTOFF = D(2026, 6, 14)


def _calendar():
    return build_app().calendar


def _demo(engine, communes=4):
    build_app().build_demo(communes=communes, seed=11, as_of=D(2026, 6, 30), province=PROVINCE)
    with read_session(engine) as s:
        province = s.scalar(select(Unit).where(Unit.name == PROVINCE))
        communes = list(s.scalars(select(Unit).where(Unit.parent_id == province.id).order_by(Unit.id)))
    return province, communes


def _own_runs(engine, communes):
    """Each commune's own status run at the cut-off: what the province numbers must equal."""
    return {u.name: run_status(engine, CUTOFF, _calendar(), due_soon_working_days=5, unit_ids=[u.id]) for u in communes}


def _rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture
def province_files(engine, tmp_path):
    province, communes = _demo(engine)
    files = build_report(build_app(), province, build_app().parse_period(PERIOD), tmp_path / "out", signed_on=D(2026, 6, 16))
    return province, communes, files


def test_province_units(engine):
    province, communes = _demo(engine, communes=3)
    assert is_aggregate(engine, province) and not is_aggregate(engine, communes[0])
    assert member_units(engine, province) == [(u.id, u.name) for u in communes]


def test_province_content_is_the_sum_of_the_communes(engine, province_files):
    province, communes, files = province_files
    report = files.province
    own = _own_runs(engine, communes)
    assert [u.name for u in report.units] == [u.name for u in communes]
    for u in report.units:
        run = own[u.name]
        assert u.totals == run.totals and u.total == len(run.rows)
        assert sorted(r.milestone_id for r in u.rows) == sorted(r.milestone_id for r in run.rows)
        assert [(g.name, g.totals) for g in u.by_office] == [(g.name, g.totals) for g in run.by_office]
    content = files.content
    for s in Shown:
        assert content.totals[s.value] == sum(run.totals[s.value] for run in own.values())
    assert content.total == sum(len(run.rows) for run in own.values()) > 0
    assert content.totals["qua_han"] > 0 and content.done_count > 0
    everything = run_status(engine, CUTOFF, _calendar(), due_soon_working_days=5)
    assert content.totals == everything.totals  # the demo holds only this province's communes


def test_province_docx_numbers(engine, province_files):
    province, communes, files = province_files
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"bao-cao-tinh-{PERIOD}-{engine.dialect.name}.docx").write_bytes(files.docx.read_bytes())
    doc = Document(str(files.docx))
    texts = [p.text for p in doc.paragraphs]
    assert [t for t in texts if t in PROVINCE_SECTIONS] == list(PROVINCE_SECTIONS)
    assert [t for t in texts if t in PROVINCE_PARTS] == list(PROVINCE_PARTS)
    assert texts.index(PROVINCE_SECTIONS[0]) < texts.index(PROVINCE_PARTS[0]) < texts.index(PROVINCE_SECTIONS[1])
    head = " ".join(" ".join(c.text for c in doc.tables[0]._cells).split())
    assert "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" in head and "Thanh Hóa, ngày 16 tháng 6 năm 2026" in head
    own = _own_runs(engine, communes)
    order = [s.value for s in STATUS_ORDER]

    # II. The summary: one row per commune (its own run), then the sum.
    summary = next(tb for tb in doc.tables if _rows(tb)[0][:2] == ["STT", "Đơn vị"])
    rows = _rows(summary)[1:]
    assert [r[1] for r in rows] == [u.name for u in communes] + [TOTAL_LABEL]
    for row, u in zip(rows, communes):
        run = own[u.name]
        t = run.totals
        done = t["hoan_thanh_dung_han"] + t["hoan_thanh_tre_han"]
        assert row[2:] == [str(len(run.rows)), *(str(t[k]) for k in order),
                           format_rate(t["hoan_thanh_dung_han"] / done if done else None)]
    total_row = rows[-1]
    for col in range(2, 2 + 1 + len(order)):
        assert int(total_row[col]) == sum(int(r[col]) for r in rows[:-1])
    assert total_row[-1] == format_rate(files.content.on_time_rate)

    # The chart (Hình 1) right after the summary, its series equal to the communes' runs.
    assert len(doc.inline_shapes) == 1
    pic = next(i for i, p in enumerate(doc.paragraphs) if p._p.xpath(".//pic:pic"))
    assert texts[pic + 1].startswith("Hình 1. Tình hình thực hiện nhiệm vụ theo đơn vị (số liệu đến ngày 14/06/2026")
    assert texts.index(PROVINCE_PARTS[1]) < pic < texts.index(PROVINCE_PARTS[2])
    data = chart_data(files.province.unit_totals)
    assert data.categories == [u.name for u in communes]
    assert {s: data.series[s] for s in Shown} == {s: [own[u.name].totals[s.value] for u in communes] for s in Shown}

    # V. A table per commune: totals by lead office, equal to the commune's own run.
    for i, u in enumerate(communes, 1):
        at = texts.index(f"5.{i}. {u.name}")
        assert texts.index(PROVINCE_PARTS[4]) < at < texts.index(PROVINCE_PARTS[5])
    office_tables = [tb for tb in doc.tables if _rows(tb)[0][0] == "Cơ quan chủ trì"][1:]  # [0]: all communes
    assert len(office_tables) == len(communes)
    for table, u in zip(office_tables, communes):
        assert _rows(table)[1:] == [[g.name, str(len(g.rows)), *(str(g.totals[k]) for k in order)]
                                    for g in own[u.name].by_office]

    # VI. Overdue items of every commune, with the commune's name.
    overdue = next(tb for tb in doc.tables if _rows(tb)[0][-1] == "Lý do")
    assert _rows(overdue)[0][1] == "Đơn vị"
    label = files.content.item_label  # "Mục 22", with the plan's short title where a commune follows two plans
    expected = sorted((u.name, label(r) + (f" ({r.label})" if r.label else "") + f". {r.content}",
                       str(r.days_overdue)) for u in communes for r in own[u.name].rows if r.shown is Shown.OVERDUE)
    assert sorted((r[1], r[2], r[5]) for r in _rows(overdue)[1:]) == expected


def test_province_xlsx_and_markdown(engine, province_files):
    province, communes, files = province_files
    own = _own_runs(engine, communes)
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames == [SUMMARY_SHEET, "Phụ lục"]
    summary = wb[SUMMARY_SHEET]
    assert summary["A1"].value.startswith("Phụ lục kèm theo Báo cáo số")
    assert [c.value for c in summary[HEADER_ROW]] == list(SUMMARY_HEADER)
    values = [[c.value for c in row] for row in summary.iter_rows(min_row=HEADER_ROW + 1)]
    order = [s.value for s in STATUS_ORDER]
    for row, u in zip(values, communes):
        t = own[u.name].totals
        assert row[1:10] == [u.name, len(own[u.name].rows), *(t[k] for k in order)]
    assert values[-1][1:10] == ["Tổng cộng", files.content.total, *(files.content.totals[k] for k in order)]
    annex = wb["Phụ lục"]
    assert [c.value for c in annex[HEADER_ROW]] == list(PROVINCE_HEADER)
    per_unit: dict[str, int] = {}
    for row in annex.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        per_unit[row[1]] = per_unit.get(row[1], 0) + 1
    assert per_unit == {u.name: len(own[u.name].rows) for u in communes if own[u.name].rows}
    md = files.markdown_text
    assert md.startswith(f"# Báo cáo kết quả thực hiện kế hoạch CCHC 6 tháng đầu năm 2026 — {PROVINCE}")
    assert f"## Theo đơn vị ({len(communes)})" in md
    for u in communes:
        assert f"| {u.name} | {len(own[u.name].rows)} |" in md
    assert f"| **Tổng cộng** | **{files.content.total}** |" in md


def test_province_compiles_with_one_status_run(engine):
    province, communes = _demo(engine, communes=3)
    statements = []
    listener = lambda *a, **k: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        report = compile_province(build_app(), province, build_app().parse_period(PERIOD), compare_previous=False)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # The units (own plans, two levels of children, one empty), one status run (7), done dates, extensions:
    # the same for 3 communes as for 300.
    assert len(statements) <= 4 + 7 + 2
    assert len(report.units) == 3


def test_commune_of_a_province_gets_its_own_report(engine, tmp_path):
    province, communes = _demo(engine, communes=2)
    files = build_report(build_app(), communes[1], build_app().parse_period(PERIOD), tmp_path, signed_on=D(2026, 6, 16))
    assert files.province is None
    assert files.content.totals == _own_runs(engine, communes[1:])[communes[1].name].totals
    assert {r.unit for r in files.content.rows} == {communes[1].name}


def test_chart_of_many_units_keeps_the_most_overdue(engine, province_files, monkeypatch, tmp_path):
    import dondoc.reports.province_docx as province_docx

    province, communes, files = province_files
    monkeypatch.setattr(province_docx, "CHART_LIMIT", 2)
    doc = Document(str(province_docx.write_province_docx(files.province, tmp_path / "t.docx", issuer="UBND",
                                                         place="Thanh Hóa", signed_on=D(2026, 6, 16))))
    caption = next(p.text for p in doc.paragraphs if p.text.startswith("Hình 1."))
    assert caption == ("Hình 1. Tình hình thực hiện nhiệm vụ theo đơn vị (số liệu đến ngày 14/06/2026; "
                       f"2/{len(communes)} đơn vị có nhiều nhiệm vụ quá hạn nhất)")
    kept = chart_data(files.province.unit_totals, limit=2).categories
    own = _own_runs(engine, communes)
    overdue = sorted((-own[u.name].totals["qua_han"], -len(own[u.name].rows), i) for i, u in enumerate(communes))
    assert kept == [communes[i].name for *_, i in sorted(overdue[:2], key=lambda t: t[2])]


def test_province_extensions_name_their_commune(engine, tmp_path):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from dondoc.storage.models import Extension
    
    province, communes = _demo(engine, communes=2)
    build_app().extend("49", D(2026, 12, 31), by="Chủ tịch UBND xã", on=D(2026, 5, 4), reason="Chờ hướng dẫn",
           unit=communes[1].name)
    with engine.begin() as conn:  # granted within the period (granted_at is the recording time)
        conn.execute(update(Extension).values(granted_at=datetime(2026, 5, 4, 3, 0, tzinfo=UTC)))
    files = build_report(build_app(), province, build_app().parse_period(PERIOD), tmp_path, signed_on=D(2026, 6, 16))
    assert [(e.unit, e.item.rsplit("#", 1)[1], e.new_due) for e in files.content.extensions] == [
        (communes[1].name, "49", D(2026, 12, 31))
    ]
    doc = Document(str(files.docx))
    table = next(tb for tb in doc.tables if _rows(tb)[0][-2:] == ["Người cho gia hạn", "Lý do"])
    assert _rows(table)[0][1] == "Đơn vị"
    assert [(r[1], r[4], r[5]) for r in _rows(table)[1:]] == [(communes[1].name, "31/12/2026", "Chủ tịch UBND xã")]

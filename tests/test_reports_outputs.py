"""Periodic report for plan 001, Quý I/2026: content, .docx (with its chart), .xlsx and Markdown, on both backends."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime

import pytest
from conftest import build_app, ARTIFACTS, PLAN_001, seed_path
from docx import Document
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import event, update

from dondoc.storage.models import Extension
from dondoc.reports.chart import CHART_ORDER, chart_data, render_chart
from dondoc.reports.content import compile_report, format_rate
from dondoc.reports.docx_report import HEADER_WIDTHS, QUOC_HIEU, SECTIONS, TIEU_NGU
from dondoc.reports.unit_docx import write_docx
from dondoc.reports.markdown import render_markdown
from dondoc.reports.xlsx_annex import HEADER, HEADER_ROW, STATUS_COLUMN, shade, tint, write_xlsx
from dondoc.domain.status import Shown
from dondoc.storage.statusrun import run_status

D = date
CUTOFF = D(2026, 3, 14)


def _calendar():
    return build_app().calendar


@pytest.fixture
def content(engine):
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    build_app().record_update("43", "hoan_thanh", on=D(2026, 3, 10), product="Kế hoạch số 12/KH-UBND")
    build_app().record_update("7", "dang_thuc_hien", on=D(2026, 2, 2), note="Đã rà soát 15 TTHC")
    build_app().record_update("37", "vuong_mac", on=D(2026, 2, 20), note="Chưa có hướng dẫn của Sở Nội vụ")
    build_app().record_update("49", "dang_thuc_hien", on=D(2026, 3, 12), note="Đang xây dựng dự thảo")
    build_app().record_update("43", "dang_thuc_hien", on=D(2026, 3, 20), note="after the cut-off: not in the report")
    build_app().extend("49", D(2026, 8, 31), by="Chủ tịch UBND xã", on=D(2026, 3, 1), reason="Chờ hướng dẫn")
    with engine.begin() as conn:  # granted within the period (granted_at is the recording time)
        conn.execute(update(Extension).values(granted_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC)))
    return compile_report(build_app(), build_app().parse_period("2026-Q1"))


def _status(engine):
    return run_status(engine, CUTOFF, _calendar(), due_soon_working_days=5)


def test_content_matches_the_status_run_at_the_cutoff(engine, content):
    status = _status(engine)
    assert content.cutoff == CUTOFF
    assert content.totals == status.totals and content.total == len(status.rows)
    assert [(r.milestone_id, r.shown) for r in content.rows] == [(r.milestone_id, r.shown) for r in status.rows]
    done = {d.row.item.rsplit("#", 1)[1]: d for d in content.done}
    assert done["43"].done_on == D(2026, 3, 10) and done["43"].row.product == "Kế hoạch số 12/KH-UBND"
    assert content.on_time_rate == status.totals["hoan_thanh_dung_han"] / (
        status.totals["hoan_thanh_dung_han"] + status.totals["hoan_thanh_tre_han"]
    )
    overdue = {r.item.rsplit("#", 1)[1]: r for r in content.overdue}
    assert overdue["37"].last_note == "Chưa có hướng dẫn của Sở Nội vụ" and overdue["37"].days_overdue > 0
    cont = {r.item.rsplit("#", 1)[1]: r for r in content.continuous}
    assert cont["7"].last_note == "Đã rà soát 15 TTHC"
    assert len(content.awaiting) == status.totals["cho"] > 0
    assert [(e.item.rsplit("#", 1)[1], e.previous_due, e.new_due) for e in content.extensions] == [
        ("49", D(2026, 6, 30), D(2026, 8, 31))
    ]
    # Changed since the previous report (annual 2025, cut-off 14/12/2025): at least item 43 (now done).
    assert content.previous.key == "2025"
    changed = {c.item.rsplit("#", 1)[1]: c for c in content.changes}
    assert changed["43"].after is Shown.DONE_ON_TIME and changed["43"].before is not Shown.DONE_ON_TIME
    before = run_status(engine, D(2025, 12, 14), _calendar())
    old = {r.milestone_id: r.shown for r in before.rows}
    expected = {r.milestone_id for r in status.rows if old.get(r.milestone_id) is not r.shown}
    assert {c.row.milestone_id for c in content.changes if c.row} == expected
    # Comparing with a previous content gives no changes against itself.
    again = compile_report(build_app(), build_app().parse_period("2026-Q1"), previous=content)
    assert again.changes == []
    assert len(content.deadline_problems) == 1  # the shipped office deadline precedes the cut-off


def test_compile_uses_one_status_run(engine, content):
    statements = []
    listener = lambda *a, **k: statements.append(1)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        compile_report(build_app(), build_app().parse_period("2026-Q1"), compare_previous=False)
        without = len(statements)
        statements.clear()
        compile_report(build_app(), build_app().parse_period("2026-Q1"))
        with_previous = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert without <= 7 + 2  # the status run's queries + done dates + extensions
    assert with_previous <= without + 7


def _table_rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_layout_and_numbers(engine, content, tmp_path):
    path = write_docx(content, tmp_path / "bao-cao-2026-Q1.docx", signed_on=D(2026, 3, 5))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"bao-cao-2026-Q1-{engine.dialect.name}.docx").write_bytes(path.read_bytes())
    doc = Document(str(path))
    s = doc.sections[0]
    mm = lambda length: round(length.mm, 1)
    assert (mm(s.page_width), mm(s.page_height)) == (210, 297) and s.orientation == 0  # A4 portrait
    assert [mm(x) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
    # Page numbers from page 2: an empty first-page header, a centred PAGE field in the others.
    assert s.different_first_page_header_footer
    assert s.first_page_header.paragraphs[0].text == ""
    assert "PAGE" in s.header._element.xml and s.header.paragraphs[0].alignment == 1  # centre
    # Fonts: Times New Roman everywhere.
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}
    # Header table (Nghị định 30/2020): the body on two lines, "ỦY" (not "UỶ"), a short rule under it,
    # never an underline; the Quốc hiệu on one line in a column wide enough, the Tiêu ngữ and its rule.
    head = doc.tables[0]
    left, right = head.rows[0].cells
    organ = [p for p in left.paragraphs if p.text]
    assert [p.text for p in organ] == ["ỦY BAN NHÂN DÂN", "XÃ NGỌC LIÊN"] and "UỶ" not in left.text
    assert all(r.bold and r.font.size.pt == 13 and not r.underline for p in organ for r in p.runs)
    rule = left.paragraphs[len(organ)]
    assert rule.text == "" and rule._p.xpath("./w:pPr/w:pBdr/w:top")
    assert 10 < rule.paragraph_format.left_indent.mm == rule.paragraph_format.right_indent.mm  # short, centred
    assert "w:tblBorders" in head._tbl.xml and 'w:val="nil"' in head._tbl.xml
    qh, tn = right.paragraphs[0].runs[0], right.paragraphs[1].runs[0]
    assert (qh.text, qh.bold, qh.font.size.pt) == (QUOC_HIEU, True, 12)
    assert (tn.text, tn.bold, tn.font.size.pt) == (TIEU_NGU, True, 13)
    assert right.paragraphs[2]._p.xpath("./w:pPr/w:pBdr/w:top") and right.paragraphs[2].text == ""
    assert round(right.width.mm) == HEADER_WIDTHS[1] >= 100  # 34 capitals, 12 pt bold: about 95 mm
    assert head._tbl.xpath("./w:tblPr/w:tblLayout[@w:type='fixed']")
    assert head.rows[1].cells[0].text == "Số: …/BC-UBND"
    date_run = head.rows[1].cells[1].paragraphs[0].runs[0]
    assert date_run.text == "Ngọc Liên, ngày 05 tháng 3 năm 2026" and date_run.italic
    # Title, subject, sections in order.
    texts = [p.text for p in doc.paragraphs]
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.runs[0].font.size.pt == 14
    subject = doc.paragraphs[texts.index("BÁO CÁO") + 1]
    assert "quý I năm 2026" in subject.text and subject.runs[0].bold
    assert [t for t in texts if re.match(r"^[IVX]+\. ", t)] == list(SECTIONS)
    # Every number equals the status run at the same cut-off.
    status = _status(engine)
    totals_table = _table_rows(doc.tables[1])
    by_label = {row[0]: row[1] for row in totals_table[1:]}
    for s_ in Shown:
        if s_ is Shown.UNSET and not status.totals[s_.value]:
            assert s_.label[0].upper() + s_.label[1:] not in by_label  # only when some deadline is still to be set
            continue
        assert by_label[s_.label[0].upper() + s_.label[1:]] == str(status.totals[s_.value])
    assert by_label["Tổng số"] == str(len(status.rows))
    assert by_label["Tỷ lệ hoàn thành đúng hạn"] == format_rate(content.on_time_rate)
    overview = texts[texts.index(SECTIONS[0]) + 1]
    numbers = [int(n) for n in re.findall(r"\b\d+\b", overview.split("tỷ lệ")[0])]
    t = status.totals
    assert numbers == [len(status.rows), t["hoan_thanh_dung_han"] + t["hoan_thanh_tre_han"], t["hoan_thanh_dung_han"],
                       t["hoan_thanh_tre_han"], t["qua_han"]]
    order = ["hoan_thanh_dung_han", "hoan_thanh_tre_han", "trong_han", "sap_den_han", "qua_han", "cho", "thuong_xuyen"]
    for table, groups in ((doc.tables[2], status.by_area), (doc.tables[3], status.by_office)):
        rows = _table_rows(table)[1:]
        assert rows == [[g.name, str(len(g.rows)), *(str(g.totals[k]) for k in order)] for g in groups]
    overdue_table = next(tb for tb in doc.tables if _table_rows(tb)[0][-1] == "Lý do")
    overdue = [r for r in status.rows if r.shown is Shown.OVERDUE]
    assert [(row[1].split(".")[0], row[4]) for row in _table_rows(overdue_table)[1:]] == [
        (f"Mục {r.number}" + (f" ({r.label})" if r.label else ""), str(r.days_overdue)) for r in overdue]
    assert any("Chưa có hướng dẫn của Sở Nội vụ" in row[5] for row in _table_rows(overdue_table)[1:])
    done_table = next(tb for tb in doc.tables if _table_rows(tb)[0][3:5] == ["Ngày hoàn thành", "Sản phẩm"])
    assert len(done_table.rows) - 1 == t["hoan_thanh_dung_han"] + t["hoan_thanh_tre_han"]
    assert any(row[3:5] == ["10/03/2026", "Kế hoạch số 12/KH-UBND"] for row in _table_rows(done_table))
    # Table header rows repeat on every page a table spans; no row splits across pages.
    assert all(tb.rows[0]._tr.trPr is not None and tb.rows[0]._tr.trPr.xpath("./w:tblHeader") for tb in doc.tables[1:-1])
    assert all(row._tr.trPr.xpath("./w:cantSplit") for tb in doc.tables[1:-1] for row in tb.rows)
    # Closing blocks.
    closing = doc.tables[-1].rows[0].cells
    assert closing[0].paragraphs[0].text == "Nơi nhận:" and "CHỦ TỊCH" in [p.text for p in closing[1].paragraphs]


def test_xlsx_annex_rows_and_colours(engine, content, tmp_path):
    path = write_xlsx(content, tmp_path / "phu-luc-2026-Q1.xlsx", number="12/BC-UBND", signed_on=D(2026, 3, 16))
    ws = load_workbook(path).active
    assert ws["A1"].value == "Phụ lục kèm theo Báo cáo số 12/BC-UBND ngày 16/03/2026" and ws["A1"].font.b
    assert "quý I năm 2026" in ws["A2"].value and "14/03/2026" in ws["A2"].value
    assert [c.value for c in ws[HEADER_ROW]] == list(HEADER)
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}" and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    status = _status(engine)
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1))
    assert len(rows) == len(status.rows)
    for cells, r in zip(rows, status.rows):
        assert cells[1].value == "KH CCHC 2026–2030" and cells[2].value == r.number
        assert cells[STATUS_COLUMN - 1].value == r.shown.label
        # The status cell alone is coloured: a light tint of the status colour, dark text.
        cell = cells[STATUS_COLUMN - 1]
        assert cell.fill.fgColor.rgb == tint(r.shown) and cell.font.color.rgb == shade(r.shown)
        fill = [int(cell.fill.fgColor.rgb[i:i + 2], 16) for i in (2, 4, 6)]
        ink = [int(cell.font.color.rgb[i:i + 2], 16) for i in (2, 4, 6)]
        assert min(fill) >= 150 and max(ink) <= 150  # light fill, dark text
        assert all(c.fill.fill_type is None for c in cells if c is not cell)
        assert all(c.font.color is None or c.font.color.rgb in (None, "FF000000") for c in cells if c is not cell)
        assert cells[13].value == r.days_overdue
    row43 = next(c for c in rows if c[2].value == "43")
    assert row43[11].value.date() == D(2026, 3, 10) and row43[12].value == "Kế hoạch số 12/KH-UBND"


def test_xlsx_annex_prints_on_landscape_a4_fitted_to_width(content, tmp_path):
    ws = load_workbook(write_xlsx(content, tmp_path / "phu-luc.xlsx", signed_on=D(2026, 3, 16))).active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0  # one page wide, as many down
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header row on every page
    assert ws["A1"].value == "Phụ lục kèm theo Báo cáo số …/BC-UBND ngày 16/03/2026"  # the number left blank
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A1:{get_column_letter(len(HEADER))}1", f"A2:{get_column_letter(len(HEADER))}2"} <= merged


def test_markdown_summary(engine, content):
    text = render_markdown(content, unit="Xã Ngọc Liên")
    status = _status(engine)
    assert text.startswith("# Báo cáo kết quả thực hiện kế hoạch CCHC Quý I năm 2026 — Xã Ngọc Liên")
    assert f"| **Tổng số** | **{len(status.rows)}** |" in text
    assert f"| Quá hạn | {status.totals['qua_han']} |" in text
    assert "Chưa có hướng dẫn của Sở Nội vụ" in text and "Kế hoạch số 12/KH-UBND" in text
    assert "## Gia hạn trong kỳ (1)" in text


def test_chart_series_equal_the_status_run(engine, content):
    status = _status(engine)
    data = chart_data(content.by_office)
    assert data.categories == [g.name for g in status.by_office]
    assert list(data.series) == list(CHART_ORDER) and set(CHART_ORDER) == set(Shown)
    for s in Shown:
        assert data.series[s] == [g.totals[s.value] for g in status.by_office]
    assert data.bar_totals == [len(g.rows) for g in status.by_office]
    assert data.drawn == [s for s in CHART_ORDER if status.totals[s.value]]
    # Over the limit: the groups with the most overdue items are kept, in their order.
    limited = chart_data(content.by_office, limit=2)
    ranked = sorted(status.by_office, key=lambda g: (-g.totals["qua_han"], -len(g.rows)))[:2]
    assert set(limited.categories) == {g.name for g in ranked}
    assert limited.omitted == len(status.by_office) - 2
    assert limited.categories == [g.name for g in status.by_office if g.name in limited.categories]


def test_chart_draws_vietnamese_labels(content, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        png = render_chart(chart_data(content.by_office), tmp_path / "bieu-do.png", title="Trạng thái theo cơ quan")
    assert png.startswith(b"\x89PNG") and (tmp_path / "bieu-do.png").read_bytes() == png


def test_docx_has_the_chart_and_its_caption(engine, content, tmp_path):
    doc = Document(str(write_docx(content, tmp_path / "r.docx", signed_on=D(2026, 3, 5))))
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert round(shape.width.mm) == 160  # the text width
    blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert blob.startswith(b"\x89PNG")
    texts = [p.text for p in doc.paragraphs]
    pic = next(i for i, p in enumerate(doc.paragraphs) if p._p.xpath(".//pic:pic"))
    assert texts.index("3. Theo cơ quan chủ trì") < pic < texts.index("4. Nhiệm vụ đã hoàn thành")
    caption = doc.paragraphs[pic + 1]
    assert caption.text == "Hình 1. Tình hình thực hiện nhiệm vụ theo cơ quan chủ trì (số liệu đến ngày 14/03/2026)"
    assert caption.runs[0].italic and caption.alignment == 1
    without = Document(str(write_docx(content, tmp_path / "r2.docx", signed_on=D(2026, 3, 5), chart=False)))
    assert len(without.inline_shapes) == 0 and not any(p.text.startswith("Hình 1.") for p in without.paragraphs)

"""The unit report as an office signs it (Nghị định 30/2020): no plan code anywhere a person reads, the
signer from reporting.yaml, the closing block kept together, sections I–IV prefilled from the data,
the chart in a serif font with every Vietnamese glyph."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from conftest import PLAN_001, build_app, seed_path
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select, update

from dondoc.reports.chart import FONTS, VIETNAMESE, chart_font
from dondoc.reports.docx_report import SECTIONS
from dondoc.settings import get_settings
from dondoc.storage.db import read_session
from dondoc.storage.models import Extension, Plan

D = date
CODE = re.compile(r"[a-z]+(?:-[a-z0-9]+){2,}|#\d")  # "xa-ngoc-lien-2026-2030", "…#37"


def _prepare(app):
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    app.record_update("43", "hoan_thanh", on=D(2026, 3, 10), product="Kế hoạch số 12/KH-UBND")
    app.record_update("7", "dang_thuc_hien", on=D(2026, 2, 2), note="Đã rà soát 15 TTHC")
    app.record_update("37", "vuong_mac", on=D(2026, 2, 20), note="Chưa có hướng dẫn của Sở Nội vụ")
    app.extend("49", D(2026, 8, 31), by="Chủ tịch UBND xã", on=D(2026, 3, 1), reason="Chờ hướng dẫn")
    with app.engine.begin() as conn:  # granted within the period
        conn.execute(update(Extension).values(granted_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC)))
    with read_session(app.engine) as s:
        return s.scalar(select(Plan.code))


def _docx_texts(path) -> list[str]:
    """Every paragraph a person reads: body, every table cell (nested too), headers and footers."""
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts += [p.text for cell in table._cells for p in cell.paragraphs]
        texts += [p.text for cell in table._cells for t in cell.tables for c in t._cells for p in c.paragraphs]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            texts += [p.text for p in part.paragraphs]
    return texts


@pytest.fixture
def report(sqlite_app, tmp_path):
    app = sqlite_app
    code = _prepare(app)
    files = app.build_report("Xã Ngọc Liên", "2026-Q1", tmp_path / "bc", signed_on=D(2026, 3, 5))
    return app, code, files


def test_no_plan_code_in_the_word_report_the_annex_or_the_summary(report):
    app, code, files = report
    assert code == "xa-ngoc-lien-2026-2030"
    texts = _docx_texts(files.docx)
    found = [t for t in texts if code in t or CODE.search(t)]
    assert found == [], found[:5]
    assert any(t.startswith("Mục 43. ") for t in texts) and any("Mục 37" in t for t in texts)
    wb = load_workbook(files.xlsx)
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c for c in cells if code in c or CODE.search(c)] == []
    assert "KH CCHC 2026–2030" in cells
    assert code not in files.markdown_text and not CODE.search(files.markdown_text)
    assert "**Mục 37 (Ban hành kế hoạch)**" in files.markdown_text


def test_narrative_sections_prefilled_from_the_data(report):
    app, _, files = report
    content = files.content
    texts = [p.text for p in Document(str(files.docx)).paragraphs]
    assert [t for t in texts if re.match(r"^[IVX]+\. ", t)] == list(SECTIONS)
    at = {s: texts.index(s) for s in SECTIONS}
    opening = texts[at[SECTIONS[0]] - 1]
    assert opening.startswith("Thực hiện kế hoạch cải cách hành chính trên địa bàn xã Ngọc Liên")
    assert "Ủy ban nhân dân xã Ngọc Liên báo cáo" in opening
    results = texts[at[SECTIONS[0]]:at[SECTIONS[1]]]
    assert f"đã hoàn thành {content.done_count}" in results[1]
    assert any(t.startswith("- Mục 43. ") and "Kế hoạch số 12/KH-UBND" in t for t in results)
    assert any(t.startswith("- Mục 7 ") and "Đã rà soát 15 TTHC" in t for t in results)
    problems = texts[at[SECTIONS[1]]:at[SECTIONS[2]]]
    assert f"Còn {len(content.overdue)} nhiệm vụ quá hạn chưa hoàn thành:" in problems
    assert any(t.startswith("- Mục 37 ") and "nguyên nhân: Chưa có hướng dẫn của Sở Nội vụ" in t for t in problems)
    assert any("được gia hạn" in t for t in problems)
    focus = texts[at[SECTIONS[2]]:at[SECTIONS[3]]]
    assert content.next_period.key == "2026-H1" and content.due_next
    assert all(content.cutoff < (r.extended_due or r.effective_due) <= D(2026, 6, 14) for r in content.due_next)
    assert any(f"có {len(content.due_next)} nhiệm vụ đến hạn" in t for t in focus)
    proposals = texts[at[SECTIONS[3]]:]
    assert any(f"Có {len(content.awaiting)} nhiệm vụ chưa thể triển khai" in t for t in proposals)
    assert texts[-1].startswith("Trên đây là báo cáo kết quả thực hiện kế hoạch cải cách hành chính Quý I năm 2026")
    assert texts[-1].endswith("của Ủy ban nhân dân xã Ngọc Liên./.")


def test_signature_block_without_a_signer_leaves_a_blank_line(report):
    _, _, files = report
    doc = Document(str(files.docx))
    closing = doc.tables[-1]
    left, right = closing.rows[0].cells
    signer = [p.text for p in right.paragraphs]
    assert signer[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert signer[-1] == "" and len(signer) >= 6  # room to sign, then an empty line for the name
    assert "UỶ" not in " ".join(signer)
    # Kept together, and with the closing sentence before it: never "Nơi nhận" alone on a last page.
    assert closing.rows[0]._tr.trPr.xpath("./w:cantSplit")
    assert all(p.paragraph_format.keep_with_next for c in (left, right) for p in c.paragraphs)
    assert doc.paragraphs[-1].text.startswith("Trên đây là báo cáo") and doc.paragraphs[-1].paragraph_format.keep_with_next


def test_signer_from_reporting_yaml(sqlite_app, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "reporting.yaml").write_text(
        'signers:\n  "Xã Ngọc Liên": {name: "Nguyễn Văn An", title: "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"}\n',
        encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    app = build_app()
    _prepare(app)
    files = app.build_report("Xã Ngọc Liên", "2026-Q1", tmp_path / "bc", signed_on=D(2026, 3, 5))
    right = Document(str(files.docx)).tables[-1].rows[0].cells[1]
    lines = [p.text for p in right.paragraphs]
    assert lines[0] == "TM. ỦY BAN NHÂN DÂN" and lines[1] == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    assert lines[-1] == "Nguyễn Văn An" and right.paragraphs[-1].runs[0].bold
    assert app.reporting.signer("Xã Trường Xuân").name is None  # another unit: the defaults


def test_chart_font_is_serif_with_every_vietnamese_glyph():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    name = chart_font()
    assert name in FONTS and "Sans" not in name
    path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert {ord(c) for c in VIETNAMESE} <= set(FT2Font(path).get_charmap())


def test_a_department_reports_under_its_province_and_its_director_signs(sqlite_app, tmp_path):
    app = sqlite_app
    app.import_file(seed_path(PLAN_001), unit_name="Sở Nội vụ")
    app.place_unit("Sở Nội vụ", "Tỉnh Thanh Hóa")
    files = app.build_report("Sở Nội vụ", "2026-Q1", tmp_path / "bc", signed_on=D(2026, 3, 5))
    doc = Document(str(files.docx))
    head = doc.tables[0]
    organ = [p for p in head.rows[0].cells[0].paragraphs if p.text]
    assert [p.text for p in organ] == ["UBND TỈNH THANH HÓA", "SỞ NỘI VỤ"]
    assert not organ[0].runs[0].bold and organ[1].runs[0].bold  # the governing body plain, the issuer bold
    assert head.rows[1].cells[1].text == "Thanh Hóa, ngày 05 tháng 3 năm 2026"
    texts = [p.text for p in doc.paragraphs]
    assert any(", Sở Nội vụ báo cáo kết quả thực hiện" in t for t in texts)
    assert texts[-1].endswith("của Sở Nội vụ./.")
    left, right = doc.tables[-1].rows[0].cells
    assert right.paragraphs[0].text == "GIÁM ĐỐC" and "TM." not in right.text  # the director signs in person
    assert "- Các phòng, đơn vị thuộc Sở;" in [p.text for p in left.paragraphs]


def test_a_ward_names_its_own_council_among_the_recipients(sqlite_app, tmp_path):
    from dondoc.reports.docx_report import recipients_for

    assert "TT Đảng ủy, TT HĐND phường;" in recipients_for("ward")
    assert "TT Đảng ủy, TT HĐND xã;" in recipients_for("commune")

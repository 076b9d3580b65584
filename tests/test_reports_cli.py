"""`dondoc report`: the three files for a unit and period, numbers equal to the status run."""

from __future__ import annotations

import docx
import openpyxl
from typer.testing import CliRunner

from conftest import PLAN_001, seed_path
from dondoc.cli import app
from dondoc.reports.xlsx_annex import HEADER_ROW

runner = CliRunner()


def test_report_command_writes_docx_xlsx_and_markdown(db_url, tmp_path):
    assert runner.invoke(app, ["import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên"]).exit_code == 0
    assert runner.invoke(app, ["update", "43", "--status", "hoan_thanh", "--date", "2026-03-10",
                               "--product", "Kế hoạch số 12/KH-UBND"]).exit_code == 0
    result = runner.invoke(app, ["report", "--period", "2026-Q1", "-o", str(tmp_path / "out"), "--date", "2026-03-05"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "bao-cao-cchc-xa-ngoc-lien-2026-q1-phu-luc.xlsx",
        "bao-cao-cchc-xa-ngoc-lien-2026-q1.docx",
        "bao-cao-cchc-xa-ngoc-lien-2026-q1.md",
    ]
    document = docx.Document(out / "bao-cao-cchc-xa-ngoc-lien-2026-q1.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    header = " ".join(" ".join(c.text for c in document.tables[0]._cells).split())
    assert "ỦY BAN NHÂN DÂN XÃ NGỌC LIÊN" in header and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    assert "Ngọc Liên, ngày 05 tháng 3 năm 2026" in text + header
    assert "BÁO CÁO" in text
    status = runner.invoke(app, ["status", "--as-of", "2026-03-14", "--json"])
    import json

    rows = json.loads(status.stdout)["rows"]
    sheet = openpyxl.load_workbook(out / "bao-cao-cchc-xa-ngoc-lien-2026-q1-phu-luc.xlsx").active
    assert sheet.max_row - HEADER_ROW == len(rows)  # one row per status row, under the title and the header
    assert "Kế hoạch số 12/KH-UBND" in (out / "bao-cao-cchc-xa-ngoc-lien-2026-q1.md").read_text(encoding="utf-8")


def test_report_command_rejects_a_bad_period(db_url):
    assert runner.invoke(app, ["import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên"]).exit_code == 0
    result = runner.invoke(app, ["report", "--period", "2026-Q5"])
    assert result.exit_code == 2 and "2026-Q5" in result.output


def test_report_command_for_a_province(db_url, tmp_path):
    assert runner.invoke(app, ["demo-data", "--communes", "3", "--as-of", "2026-03-31"]).exit_code == 0
    out = tmp_path / "tinh"
    result = runner.invoke(app, ["report", "--period", "2026-Q1", "--unit", "Tỉnh Thanh Hóa", "-o", str(out),
                                 "--date", "2026-03-16"])
    assert result.exit_code == 0, result.output
    assert "tổng hợp 3 đơn vị" in result.output
    stem = "bao-cao-cchc-tinh-thanh-hoa-2026-q1"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}-phu-luc.xlsx", f"{stem}.docx", f"{stem}.md"]
    import json

    rows = json.loads(runner.invoke(app, ["status", "--as-of", "2026-03-14", "--json"]).stdout)["rows"]
    document = docx.Document(out / f"{stem}.docx")
    summary = next(t for t in document.tables if t.rows[0].cells[1].text == "Đơn vị")
    total = summary.rows[-1].cells
    assert total[1].text == "Tổng cộng" and total[2].text == str(len(rows))
    for commune in ("Xã An Bình", "Xã Bình Minh", "Xã Cẩm Thủy"):
        mine = [r for r in rows if r["unit"] == commune]
        row = next(r for r in summary.rows if r.cells[1].text == commune)
        assert mine and row.cells[2].text == str(len(mine))
        assert row.cells[7].text == str(sum(r["shown"] == "qua_han" for r in mine))
    book = openpyxl.load_workbook(out / f"{stem}-phu-luc.xlsx")
    assert book["Phụ lục"].max_row - HEADER_ROW == len(rows)

"""A ward's plan (phường), written the way ward plans are: its own office names, group phrases for many
offices, deadlines the engine cannot read. It imports with no extra flag, as a ward, every item tracked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import install_process_app
from dondoc.cli import app as cli
from dondoc.domain.status import Shown
from dondoc.storage.db import read_session
from dondoc.storage.models import Office, Unit

WARD_PLAN = Path(__file__).parent / "fixtures" / "ward_plan.txt"
WARD_OFFICES = {"Văn phòng HĐND và UBND phường", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế, Hạ tầng và Đô thị",
                "Trung tâm Phục vụ hành chính công", "Trung tâm Cung ứng dịch vụ công", "Công an phường",
                "Tổ công tác Đề án 06", "Trạm Y tế phường", "Các đơn vị sự nghiệp giáo dục"}


def test_a_ward_plan_imports_as_a_ward_with_its_own_offices(app):
    install_process_app(app)
    result = CliRunner().invoke(cli, ["import", str(WARD_PLAN)], env={"COLUMNS": "80"})  # the unit from the header
    assert result.exit_code == 0, result.output
    assert "Phường Hạc Thành" in result.output and "2 mục có thời hạn cần xem lại" in result.output
    with read_session(app.engine) as s:
        unit = s.scalar(select(Unit))
        assert (unit.name, unit.level) == ("Phường Hạc Thành", "ward")
        offices = set(s.scalars(select(Office.name)))
    assert offices == WARD_OFFICES  # group phrases ("Các phòng chuyên môn", …) expanded, never made offices
    run = app.status(date(2026, 6, 30))
    numbers = {r.item.rsplit("#", 1)[-1] for r in run.rows}
    assert numbers == {str(n) for n in range(1, 16)}  # every item, the two unreadable deadlines too
    assert {r.item.rsplit("#", 1)[-1] for r in run.unset} == {"4", "13"}
    leads = {name for r in run.rows for name in r.lead}
    assert "Văn phòng HĐND và UBND phường" in leads and not any(name.endswith(" xã") for name in leads)
    row_6 = next(r for r in run.rows if r.item.endswith("#6"))
    assert row_6.shown is Shown.DUE_SOON or row_6.shown is Shown.OVERDUE or row_6.nominal_due == date(2026, 6, 30)


def test_group_phrases_expand_to_the_wards_offices(app):
    report = app.import_file(WARD_PLAN, unit_name="Phường Hạc Thành")
    assert report.offices_created == []
    with read_session(app.engine) as s:
        from dondoc.storage.models import Item

        item_6 = s.scalar(select(Item).where(Item.number == "6"))
        coop = {link.office.name for link in item_6.offices if link.role == "coop"}
    # "Các phòng chuyên môn": every office of the ward's own group, less the lead office
    assert "Phòng Kinh tế, Hạ tầng và Đô thị" in coop and "Phòng Văn hóa - Xã hội" not in coop
    assert "Tổ công tác Đề án 06" not in coop  # named explicitly when involved


@pytest.mark.parametrize("shape", ["pipe", "html", "docx", "xlsx", "cells", "doc", "pdf"])
def test_the_ward_plan_in_every_shape(app, tmp_path, monkeypatch, shape):
    """The same ward plan as a pipe table, an HTML page, one cell per line, .docx, .xlsx, Word 97 (.doc) and
    a PDF printed by LibreOffice: the same items, imported as the ward with no extra flag."""
    import test_parse_shapes as shapes
    from dondoc.importer import parse_plan_file, write_docx, write_xlsx

    if shape in ("doc", "pdf") and (shapes.SOFFICE is None or (shape == "pdf" and shapes.PDFTOTEXT is None)):
        pytest.skip("LibreOffice (and poppler for PDF) is not installed")

    ward = parse_plan_file(WARD_PLAN)
    lines = WARD_PLAN.read_text(encoding="utf-8").splitlines()
    monkeypatch.setattr(shapes, "prose", lambda _name: lines[:next(i for i, x in enumerate(lines) if "\t" in x)])
    if shape in ("docx", "xlsx"):
        path = (write_docx if shape == "docx" else write_xlsx)(ward, tmp_path / f"phuong.{shape}")
    elif shape in ("doc", "pdf"):
        written = write_docx(ward, tmp_path / "phuong.docx")
        profile = tmp_path / "profile"
        if shape == "doc":  # through OpenDocument, as a .doc saved by LibreOffice keeps its table that way
            written = shapes.convert([written], "odt", tmp_path / "odt", profile)[0]
        path = shapes.convert([written], shape, tmp_path / shape, profile)[0]
    else:
        text = {"pipe": lambda: shapes.pipe_table("ward", ward), "html": lambda: shapes.html_page("ward", ward),
                "cells": lambda: shapes.one_cell_per_line("ward", ward, [40, 16, 16, 14, 16], dotted=True)}[shape]()
        path = tmp_path / ("phuong.html" if shape == "html" else "phuong.txt")
        path.write_text(text, encoding="utf-8")
    parsed = parse_plan_file(path)
    assert shapes.item_facts(parsed, shapes.same_text) == shapes.item_facts(ward, shapes.same_text)
    report = app.import_file(path, unit_name="Phường Hạc Thành")
    assert report.items_added == 15 and report.unknown_offices == [] and report.offices_created == []
    with read_session(app.engine) as s:
        assert s.scalar(select(Unit.level)) == "ward"
        assert set(s.scalars(select(Office.name))) == WARD_OFFICES
    assert {r.item.rsplit("#", 1)[-1] for r in app.status(date(2026, 6, 30)).rows} == {str(n) for n in range(1, 16)}


def test_a_special_zone_plan_imports_with_its_own_offices(app, tmp_path):
    """A đặc khu writes its plan like a ward, under its own names: the kind comes from the header."""
    text = WARD_PLAN.read_text(encoding="utf-8")
    text = (text.replace("PHƯỜNG HẠC THÀNH", "ĐẶC KHU PHÚ QUỐC").replace("phường Hạc Thành", "đặc khu Phú Quốc")
            .replace("Hạc Thành,", "Phú Quốc,").replace("phường", "đặc khu").replace("Trạm Y tế đặc khu", "Trạm Y tế"))
    path = tmp_path / "dac-khu.txt"
    path.write_text(text, encoding="utf-8")
    install_process_app(app)
    result = CliRunner().invoke(cli, ["import", str(path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    with read_session(app.engine) as s:
        unit = s.scalar(select(Unit))
        assert (unit.name, unit.level) == ("Đặc khu Phú Quốc", "special_zone")
        offices = set(s.scalars(select(Office.name)))
    assert {"Văn phòng HĐND và UBND đặc khu", "Công an đặc khu", "Trung tâm Y tế đặc khu",
            "Phòng Kinh tế, Hạ tầng và Đô thị"} <= offices
    assert not any(name.endswith((" xã", " phường")) or name.startswith("Các phòng") for name in offices)
    assert {r.item.rsplit("#", 1)[-1] for r in app.status(date(2026, 6, 30)).rows} == {str(n) for n in range(1, 16)}


DEPARTMENT_PLAN = """ỦY BAN NHÂN DÂN TỈNH THANH HÓA
SỞ KHOA HỌC VÀ CÔNG NGHỆ

Số: 210/KH-SKHCN

KẾ HOẠCH
Cải cách hành chính năm 2026

STT\tNội dung công việc\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian hoàn thành\tSản phẩm
1\tRà soát quy chế làm việc của Sở\tVăn phòng Sở\tCác phòng, đơn vị thuộc Sở\tQuý I/2026\tQuyết định
2\tKiểm tra công tác cải cách hành chính tại các đơn vị trực thuộc\tThanh tra Sở\tPhòng Tổ chức - Cán bộ\tQuý III/2026\tKết luận kiểm tra
3\tKiện toàn đội ngũ công chức làm công tác kiểm soát thủ tục hành chính\tPhòng Tổ chức cán bộ\tVăn phòng\tTháng 6/2026\tQuyết định
4\tCông khai tài chính, ngân sách của Sở\tPhòng Kế hoạch, Tài chính\tCác đơn vị sự nghiệp trực thuộc\tTrước ngày 31/3 hằng năm\tVăn bản công khai
5\tTriển khai nền tảng số dùng chung trong Sở\tPhòng Quản lý công nghệ\tCác phòng chuyên môn thuộc Sở\tNăm 2026\tBáo cáo
"""


def test_a_department_plan_imports_as_the_department(app, tmp_path):
    """A department's plan (header "UBND TỈNH … / SỞ …") is the department's own: its rooms are its offices,
    its group phrases expand, and a room the catalogue does not know is held, not a failed import."""
    path = tmp_path / "so-khcn.txt"
    path.write_text(DEPARTMENT_PLAN, encoding="utf-8")
    install_process_app(app)
    result = CliRunner().invoke(cli, ["import", str(path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Phòng Quản lý công nghệ" in result.output and "map-office" in result.output
    with read_session(app.engine) as s:
        unit = s.scalar(select(Unit))
        assert (unit.name, unit.level) == ("Sở Khoa học và Công nghệ", "department")
        offices = set(s.scalars(select(Office.name)))
    assert {"Văn phòng Sở", "Thanh tra Sở", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính",
            "Các đơn vị sự nghiệp trực thuộc"} <= offices
    assert not any(name.startswith("Các phòng") for name in offices)
    assert {r.item.rsplit("#", 1)[-1] for r in app.status(date(2026, 6, 30)).rows} == {"1", "2", "3", "4", "5"}


@pytest.mark.parametrize("shape", ["txt", "docx"])
def test_a_two_level_header_reads_the_same(tmp_path, shape):
    """"Cơ quan thực hiện" over "Chủ trì" and "Phối hợp" (merged cells in Word): the same items."""
    import docx

    from dondoc.importer import parse_plan_file

    ward = parse_plan_file(WARD_PLAN)
    lines = WARD_PLAN.read_text(encoding="utf-8").splitlines()
    at = next(k for k, x in enumerate(lines) if x.startswith("STT\t"))
    if shape == "txt":
        lines[at:at + 1] = ["STT\tNội dung công việc\tCơ quan thực hiện\t\tThời gian hoàn thành\tSản phẩm",
                            "\t\tChủ trì\tPhối hợp\t\t"]
        path = tmp_path / "hai-tang.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        document = docx.Document()
        for line in lines[:4]:
            document.add_paragraph(line)
        table = document.add_table(rows=2, cols=6)
        for k, name in enumerate(["STT", "Nội dung công việc", "", "", "Thời gian hoàn thành", "Sản phẩm"]):
            table.rows[0].cells[k].text = name
        table.rows[1].cells[2].text, table.rows[1].cells[3].text = "Chủ trì", "Phối hợp"
        table.cell(0, 2).merge(table.cell(0, 3)).text = "Cơ quan thực hiện"
        for k in (0, 1, 4, 5):
            table.cell(0, k).merge(table.cell(1, k))
        for item in ward.items:
            for cell, value in zip(table.add_row().cells, [item.number, item.content, item.lead, item.cooperating,
                                                            item.deadline, item.product]):
                cell.text = value
        path = tmp_path / "hai-tang.docx"
        document.save(str(path))
    parsed = parse_plan_file(path)
    assert [(i.number, i.lead, i.cooperating, i.deadline, i.product) for i in parsed.items] == [
        (i.number, i.lead, i.cooperating, i.deadline, i.product) for i in ward.items]

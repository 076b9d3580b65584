"""The spreadsheet, links and web commands, run in-process."""

from __future__ import annotations

import re

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import PLAN_001, seed_path
from dondoc.cli import pages as cli_pages
from dondoc.storage import links
from dondoc.cli import app
from dondoc.storage.db import get_engine, read_session
from dondoc.storage.models import AccessLink, StatusUpdate, Unit
from dondoc.usecases.sheets import FIRST_ROW, NOTE, STATUS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def imported(db_url):
    result = invoke("import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên")
    assert result.exit_code == 0, result.output
    return get_engine(db_url)


def test_export_fill_import(imported, tmp_path):
    path = tmp_path / "kt.xlsx"
    result = invoke("export-sheet", "phong kinh te", "-o", str(path), "--as-of", "2026-04-15")
    assert result.exit_code == 0, result.output
    assert "Phòng Kinh tế" in result.output and "15/04/2026" in result.output
    book = load_workbook(path)
    ws = book["Cập nhật"]
    ws.cell(row=FIRST_ROW, column=STATUS, value="đang thực hiện")
    ws.cell(row=FIRST_ROW, column=NOTE, value="Đã họp triển khai")
    book.save(path)
    result = invoke("import-sheet", str(path), "--date", "2026-04-15")
    assert result.exit_code == 0, result.output
    assert "Đã ghi nhận 1 cập nhật" in result.output
    with read_session(imported) as session:
        [update] = session.scalars(select(StatusUpdate)).all()
    assert (update.status, update.note, update.source) == ("dang_thuc_hien", "Đã họp triển khai", "sheet")


def test_bad_sheet_exits_2_naming_row_and_column(imported, tmp_path):
    path = tmp_path / "kt.xlsx"
    assert invoke("export-sheet", "Phòng Kinh tế", "-o", str(path)).exit_code == 0
    book = load_workbook(path)
    book["Cập nhật"].cell(row=FIRST_ROW, column=STATUS, value="gần xong")
    book.save(path)
    result = invoke("import-sheet", str(path))
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "kt.xlsx" in message and f"dòng {FIRST_ROW}, cột F (Trạng thái mới)" in message
    with read_session(imported) as session:
        assert session.scalars(select(StatusUpdate)).all() == []
    assert invoke("import-sheet", str(tmp_path / "none.xlsx")).exit_code == 2
    assert invoke("export-sheet", "Ban không có").exit_code == 2
    assert invoke("export-sheet", "Phòng Kinh tế", "-o", str(tmp_path / "x.csv")).exit_code == 2


def test_links_print_and_rotate(imported):
    result = invoke("links")
    assert result.exit_code == 0, result.output
    assert "bí mật" in result.output and "Xã Ngọc Liên" in result.output
    with read_session(imported) as session:
        standing = links.reveal(session, session.scalar(select(AccessLink).where(AccessLink.kind == links.STANDING)))
    assert f"http://localhost:8000/s/{standing}" in result.output
    assert "Lịch của cơ quan: Phòng Kinh tế: http://localhost:8000/feeds/" in result.output

    rotated = invoke("links", "--rotate", "office_feed", "--office", "Phòng Kinh tế")
    assert rotated.exit_code == 0, rotated.output
    new_url = re.search(r"http://localhost:8000/feeds/\S+\.ics", rotated.output).group(0)
    with read_session(imported) as session:
        old = [l for l in session.scalars(select(AccessLink).where(AccessLink.kind == links.OFFICE_FEED,
                                                                  AccessLink.revoked_at.is_not(None)))]
        assert len(old) == 1 and links.resolve(session, links.reveal(session, old[0])) is None
    assert new_url in invoke("links", "--unit", "Ngọc Liên").output

    again = invoke("links", "--rotate", "standing")
    assert again.exit_code == 0 and f"/s/{standing}" not in again.output and "/s/" in again.output
    assert invoke("links", "--rotate", "office").exit_code == 2
    assert invoke("links", "--rotate", "everything").exit_code == 2


def test_web_serves_until_interrupted(imported, monkeypatch):
    seen = {}

    def wait(server):
        seen["health"] = httpx.get(server.url + "/healthz").text
        with read_session(imported) as session:
            token = links.ensure_link(session, links.STANDING, session.scalar(select(Unit.id))).token
            session.commit()
        seen["standing"] = httpx.get(f"{server.url}/s/{token}").status_code
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_pages, "_wait", wait)
    result = invoke("web", "--port", "0", "--host", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert seen == {"health": "ok", "standing": 200}
    assert "Trang web đang chạy tại http://127.0.0.1:" in result.output and "Đã dừng." in result.output

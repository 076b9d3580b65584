"""Bad plan files: a clear error naming file, row and column, exit code 2, database unchanged."""

from __future__ import annotations

import io
import zipfile

import pytest
from typer.testing import CliRunner

from conftest import PLAN_001, seed_path
from dondoc.cli import app
from dondoc.storage.db import get_engine
from dondoc.importer import parse_plan_file, write_xlsx
from test_import_db import snapshot

runner = CliRunner()
LINES = seed_path(PLAN_001).read_text(encoding="utf-8").splitlines()
ITEM_5 = next(i for i, line in enumerate(LINES) if line.startswith("5.\t"))


def with_line(index: int, new: str) -> str:
    lines = list(LINES)
    lines[index] = new
    return "\n".join(lines) + "\n"


def cells(index: int) -> list[str]:
    return LINES[index].split("\t")


def _zip_bomb() -> bytes:
    """A .docx of a few hundred KB whose document unpacks to 100 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(100):
                member.write(chunk)
    return buffer.getvalue()


def _bad_files(tmp_path):
    five = cells(ITEM_5)
    files = {
        "empty": (tmp_path / "empty.txt", b"", None),
        "binary": (tmp_path / "binary.txt", bytes(range(256)) * 40, None),
        "png": (tmp_path / "image.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, None),
        "wrong columns": (
            tmp_path / "columns.txt",
            "TT\tNội dung thực hiện\tCơ quan chủ trì\n1.\tRà soát\tPhòng Kinh tế\n".encode(),
            None,
        ),
        "missing deadline": (
            tmp_path / "deadline.txt",
            with_line(ITEM_5, "\t".join(five[:4] + [""])).encode(),
            ("Thời gian hoàn thành", ITEM_5 + 1),
        ),
        "1 MB cell": (
            tmp_path / "huge.txt",
            with_line(ITEM_5, "\t".join([five[0], "x" * 1_000_000] + five[2:])).encode(),
            ("Nội dung", ITEM_5 + 1),
        ),
        "zip bomb": (tmp_path / "bomb.docx", _zip_bomb, None),
    }
    return files


@pytest.mark.parametrize(
    "case", ["empty", "binary", "png", "wrong columns", "missing deadline", "1 MB cell", "zip bomb"]
)
def test_bad_file_changes_nothing(db_url, tmp_path, case):
    ok = runner.invoke(app, ["import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên"])
    assert ok.exit_code == 0, ok.output
    before = snapshot(get_engine(db_url))
    path, data, where = _bad_files(tmp_path)[case]
    path.write_bytes(data() if callable(data) else data)
    result = runner.invoke(app, ["import", str(path), "--unit", "Xã Ngọc Liên"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert path.name in message
    if where:
        column, line = where
        assert column in message and f"dòng {line}" in message, message
    assert "Traceback" not in result.output
    assert snapshot(get_engine(db_url)) == before


def test_bad_xlsx_row_is_named(db_url, tmp_path):
    plan = parse_plan_file(seed_path(PLAN_001))
    plan.items[2].deadline = ""
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    result = runner.invoke(app, ["import", str(path), "--unit", "Xã Ngọc Liên"])
    assert result.exit_code == 2
    assert "plan.xlsx" in result.output and "Thời gian hoàn thành" in " ".join(result.output.split())


def test_a_zip_bomb_is_refused_as_a_people_file_and_as_an_update_sheet(db_url, tmp_path):
    from conftest import build_app
    from dondoc.usecases.people import PeopleFileError
    from dondoc.usecases.sheets import SheetError

    ok = runner.invoke(app, ["import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên"])
    assert ok.exit_code == 0, ok.output
    bomb = tmp_path / "nguoi-nhan.xlsx"
    bomb.write_bytes(_zip_bomb())
    dondoc = build_app()
    with pytest.raises(PeopleFileError, match="giải ra tới"):
        dondoc.import_people(bomb, unit="Xã Ngọc Liên")
    with pytest.raises(SheetError, match="giải ra tới"):
        dondoc.import_sheet(bomb)


def test_an_unknown_office_is_listed_with_the_command_that_fixes_it(db_url, tmp_path):
    five = cells(ITEM_5)
    path = tmp_path / "office.txt"
    path.write_text(with_line(ITEM_5, "\t".join(five[:2] + ["Ban Quản lý chợ xã"] + five[3:])), encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--unit", "Xã Ngọc Liên"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output  # the items are stored and wait for their office
    text = " ".join(result.output.split())
    assert "1 tên cơ quan chưa khớp" in text and f"mục 5 (dòng {ITEM_5 + 1})" in text
    assert 'dondoc map-office "Ban Quản lý chợ xã" --to' in text
    fixed = runner.invoke(app, ["map-office", "Ban Quản lý chợ xã", "--new", "--unit", "Xã Ngọc Liên"])
    assert fixed.exit_code == 0 and "Mọi mục đã có cơ quan" in fixed.output, fixed.output
    both = runner.invoke(app, ["map-office", "X", "--new", "--to", "Phòng Kinh tế"])
    assert both.exit_code == 2

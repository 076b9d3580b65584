"""Bad input only ever raises ImportFormatError, with a message naming file, row and column."""

from __future__ import annotations

import io
import pickle
import random
import tempfile
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dondoc.importer import (
    MAX_CELL_CHARS,
    ImportFormatError,
    ParsedPlan,
    parse_docx,
    parse_plan_file,
    parse_text,
    parse_xlsx,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
HEADER = "TT\tNội dung thực hiện\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành"
GOOD = "1.\tRà soát văn bản\tVăn phòng\tCác phòng\tQuý I"
NOT_A_PLAN = "không phải tệp kế hoạch hợp lệ"


def text_error(*lines: str, source: str = "plan.txt") -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        parse_text("\n".join(lines) + "\n", source)
    return info.value


def file_error(path: Path) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        parse_plan_file(path)
    err = info.value
    assert err.file == path.name
    assert str(err).startswith(f"Tệp {path.name}")
    assert str(err).endswith(".")
    return err


# ---------------------------------------------------------------- whole files


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t ", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "tệp rỗng" in str(file_error(path))


def test_empty_text():
    assert "tệp rỗng" in str(text_error(""))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("noise.txt", random.Random(7).randbytes(4096)),
        ("noise.bin", random.Random(8).randbytes(300)),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
        ("nul.txt", "TT\x00\x00Nội dung".encode("utf-8") * 20),
        ("utf16_no_bom.txt", f"{HEADER}\n{GOOD}\n".encode("utf-16-le")),
    ],
)
def test_binary_garbage_is_not_a_plan(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert NOT_A_PLAN in str(file_error(path))


def test_non_utf8_text_names_the_file(tmp_path):
    path = tmp_path / "cp1258.txt"
    path.write_bytes("TT\tN\xf4i dung\n".encode("latin-1"))
    err = file_error(path)
    assert NOT_A_PLAN in str(err) and "UTF-8" in str(err)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ".doc/.xls"),
        ("plan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("fake.docx", f"{HEADER}\n{GOOD}\n".encode(), ".docx"),
        ("fake.xlsx", b"just some words", ".xlsx"),
    ],
)
def test_unsupported_or_mislabelled_formats(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    err = file_error(path)
    assert NOT_A_PLAN in str(err) and needle in str(err)


def test_missing_file(tmp_path):
    err = file_error(tmp_path / "absent.txt")
    assert "không đọc được tệp" in str(err)


def test_no_appendix_header():
    err = text_error("KẾ HOẠCH", "Cải cách hành chính xã A năm 2026", "", "Chỉ có văn xuôi.",
                     "a\tb\tc")
    assert "không tìm thấy dòng tiêu đề của bảng phụ lục" in str(err)
    assert err.row is None and err.file == "plan.txt"


def test_prose_only_seed_has_no_appendix():
    path = SEEDS / "000_5ebf1b93907a43e0.txt"
    if not path.exists():
        pytest.skip(f"seed plan not found under {SEEDS}")
    assert "không tìm thấy dòng tiêu đề" in str(file_error(path))


def test_header_without_items():
    err = text_error("Lời mở đầu", HEADER, "", "Hết.")
    assert "không có nhiệm vụ nào" in str(err) and err.row == 2


# ---------------------------------------------------------------- header


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("TT\tNội dung thực hiện\tCơ quan chủ trì\tCơ quan phối hợp\tSản phẩm",
         "Thời gian hoàn thành"),
        ("TT\tNội dung thực hiện\tCơ quan chủ trì", "Cơ quan phối hợp, Thời gian hoàn thành"),
        ("STT\tNội dung\tThời gian hoàn thành", "Cơ quan chủ trì, Cơ quan phối hợp"),
    ],
)
def test_wrong_columns(header, missing):
    err = text_error("Mở đầu", header, GOOD)
    assert f"thiếu cột {missing}" in str(err)
    assert err.row == 2 and str(err).startswith("Tệp plan.txt, dòng 2:")


def test_unknown_and_duplicate_columns():
    err = text_error(HEADER + "\tKinh phí", GOOD)
    assert "Kinh phí" in str(err) and "cột 6" in str(err) and err.row == 1
    err = text_error(HEADER + "\tThời hạn", GOOD)
    assert "xuất hiện hai lần" in str(err) and err.column == "Thời gian hoàn thành"


def test_repeated_header_with_other_columns():
    err = text_error(HEADER, GOOD, HEADER + "\tSản phẩm", "2.\tB\tPhòng\t\tQuý II\tBáo cáo")
    assert err.row == 3 and "tiêu đề lặp lại" in str(err)


# ---------------------------------------------------------------- item rows


def test_empty_deadline_names_row_and_column():
    err = text_error("Mở đầu", HEADER, GOOD, "2.\tKiểm tra\tVăn phòng\tCác phòng\t  ")
    assert (err.row, err.column, err.column_index) == (4, "Thời gian hoàn thành", 5)
    assert str(err) == ("Tệp plan.txt, dòng 4, cột 5 (Thời gian hoàn thành): mục 2 thiếu thời "
                        "hạn (item 2: missing deadline).")


def test_empty_lead_names_row_and_column():
    err = text_error(HEADER, GOOD, "2.\tKiểm tra\t<b></b>\tCác phòng\tQuý II")
    assert (err.row, err.column) == (3, "Cơ quan chủ trì")
    assert "dòng 3, cột 3 (Cơ quan chủ trì)" in str(err) and "thiếu cơ quan chủ trì" in str(err)


def test_empty_content():
    err = text_error(HEADER, "1.\t\tVăn phòng\t\tQuý I")
    assert err.column == "Nội dung thực hiện"


def test_short_row_missing_deadline_mentions_cell_count():
    err = text_error(HEADER, "1.\tRà soát\tVăn phòng")
    assert err.column == "Thời gian hoàn thành" and "ít ô hơn số cột của tiêu đề" in str(err)


def test_one_megabyte_cell():
    err = text_error(HEADER, "1.\t" + "x" * 1_000_000 + "\tVăn phòng\t\tQuý I")
    assert (err.row, err.column, err.column_index) == (2, "Nội dung thực hiện", 2)
    assert f"{MAX_CELL_CHARS:,}" in str(err)


def test_cell_at_the_limit_is_accepted():
    plan = parse_text(f"{HEADER}\n1.\t{'x' * MAX_CELL_CHARS}\tVăn phòng\t\tQuý I\n")
    assert len(plan.items[0].content) == MAX_CELL_CHARS


def test_extra_non_empty_cells():
    err = text_error(HEADER, GOOD + "\t\tthừa")
    assert err.row == 2 and "ngoài 5 cột" in str(err)


def test_unrecognised_number_cell():
    err = text_error(HEADER, "a)\tNội dung\tVăn phòng\t\tQuý I")
    assert (err.row, err.column) == (2, "TT") and "“a)”" in str(err)


@pytest.mark.parametrize(
    ("rows", "row", "needle"),
    [
        (["\tphần tiếp theo\t\t\t"], 2, "trước mục đầu tiên"),
        (["I\tCải cách thể chế\t\t\t", "\tphần tiếp theo\t\t\t"], 3, "sau dòng mục lớn"),
        ([GOOD, "II\tCải cách TTHC\t\t\t", "\tphần tiếp theo\t\t\t"], 4, "sau dòng mục lớn"),
    ],
)
def test_continuation_without_previous_item(rows, row, needle):
    err = text_error(HEADER, *rows)
    assert err.row == row and needle in str(err) and err.column == "TT"


@pytest.mark.parametrize(
    ("rows", "row", "needle"),
    [
        (["I\tA\t\t\t", GOOD, "I\tB\t\t\t"], 4, "trùng mục lớn I"),
        (["II\tA\t\t\t", GOOD, "I\tB\t\t\t"], 4, "mục lớn I đứng sau mục lớn II"),
        (["I\tCải cách thể chế\tVăn phòng\t\t"], 2, "dòng mục lớn I có dữ liệu"),
        (["III\t\t\t\t"], 2, "thiếu tên"),
    ],
)
def test_bad_section_rows(rows, row, needle):
    err = text_error(HEADER, *rows)
    assert err.row == row and needle in str(err)


def test_duplicate_item_number():
    err = text_error(HEADER, GOOD, "2.\tB\tPhòng B\t\tQuý II", "", HEADER,
                     "2.\tC\tPhòng C\t\tQuý III")
    assert (err.row, err.column) == (6, "TT")
    assert "trùng số thứ tự 2, đã có ở dòng 3" in str(err)


def test_decreasing_item_number():
    err = text_error(HEADER, "5.\tA\tPhòng A\t\tQuý I", "3.\tB\tPhòng B\t\tQuý II")
    assert err.row == 3 and "phải tăng dần" in str(err)


# ---------------------------------------------------------------- .docx / .xlsx


def _docx_bytes(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=0, cols=5)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_corrupt_docx_zip(tmp_path):
    good = _docx_bytes([HEADER.split("\t"), GOOD.split("\t")])
    for name, content in [("truncated.docx", good[: len(good) // 2]),
                          ("garbage.docx", b"PK\x03\x04" + random.Random(1).randbytes(500))]:
        path = tmp_path / name
        path.write_bytes(content)
        err = file_error(path)
        assert NOT_A_PLAN in str(err) and "bị hỏng" in str(err)
        with pytest.raises(ImportFormatError):
            parse_docx(path)


def test_docx_with_broken_xml(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body>")
    assert NOT_A_PLAN in str(file_error(path))


def test_zip_that_is_neither_docx_nor_xlsx(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "không phải tài liệu Word" in str(file_error(path))


def test_docx_without_appendix_table(tmp_path):
    path = tmp_path / "prose.docx"
    path.write_bytes(_docx_bytes([["Không", "phải", "bảng", "phụ", "lục"]]))
    assert "không tìm thấy dòng tiêu đề" in str(file_error(path))


def test_docx_row_errors_name_the_table_row(tmp_path):
    path = tmp_path / "bad_row.docx"
    path.write_bytes(_docx_bytes([HEADER.split("\t"), GOOD.split("\t"),
                                  ["2.", "Kiểm tra", "Văn phòng", "", ""]]))
    err = file_error(path)
    assert (err.row, err.column) == (3, "Thời gian hoàn thành")
    assert "hàng 3, cột 5 (Thời gian hoàn thành)" in str(err)


def _xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(values)
    workbook.save(str(path))
    return path


def test_xlsx_without_header(tmp_path):
    path = _xlsx(tmp_path / "no_header.xlsx",
                 [["Kế hoạch cải cách hành chính"], [1, "Rà soát", "Văn phòng", "", "Quý I"]])
    err = file_error(path)
    assert "không tìm thấy dòng tiêu đề" in str(err) and "30" in str(err)


def test_xlsx_header_below_row_30_is_not_searched(tmp_path):
    rows = [[f"dòng {n}"] for n in range(31)] + [HEADER.split("\t"), GOOD.split("\t")]
    assert "không tìm thấy dòng tiêu đề" in str(file_error(_xlsx(tmp_path / "deep.xlsx", rows)))


def test_xlsx_row_errors_use_sheet_rows(tmp_path):
    path = _xlsx(tmp_path / "rows.xlsx", [["Tiêu đề"], [], HEADER.split("\t"),
                                          [1, "x" * (MAX_CELL_CHARS + 1), "Văn phòng", "", "Q1"]])
    err = file_error(path)
    assert (err.row, err.column) == (4, "Nội dung thực hiện")


def test_corrupt_xlsx(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", [HEADER.split("\t"), GOOD.split("\t")]).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[:-200])
    assert NOT_A_PLAN in str(file_error(path))
    with pytest.raises(ImportFormatError):
        parse_xlsx(path)


# ---------------------------------------------------------------- the error object


def test_error_is_a_value_error_and_pickles():
    err = text_error(HEADER, "1.\tA\t\t\tQuý I")
    assert isinstance(err, ValueError)
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and (copy.row, copy.column) == (err.row, err.column)


# ---------------------------------------------------------------- never anything else

CELLS = st.sampled_from([
    "", " ", "1.", "2", "3.", "10", "I", "II", "<b>III</b>", "IV. CẢI CÁCH", "a)", "TT", "STT",
    "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành",
    "Sản phẩm", "Ghi chú", "Rà soát", "Văn phòng", "Quý I", "(1)", "(2)", "Số: 04 /QĐ-UBND",
    "QUYẾT ĐỊNH", "KẾ HOẠCH", "ỦY BAN NHÂN DÂN", "XÃ A", "giai đoạn 2026 - 2030", "<",
])
TABLE_LINES = st.lists(st.lists(CELLS, min_size=1, max_size=8).map("\t".join), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_returns_a_plan_or_import_format_error(text):
    try:
        result = parse_text(text, "fuzz.txt")
    except ImportFormatError as err:
        assert str(err).startswith("Tệp fuzz.txt")
    else:
        assert isinstance(result, ParsedPlan)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TABLE_LINES)
def test_table_like_text_returns_a_plan_or_import_format_error(lines):
    text = "\n".join([HEADER, *lines]) if lines and lines[0] != "" else "\n".join(lines)
    try:
        result = parse_text(text, "fuzz.txt")
    except ImportFormatError:
        return
    assert isinstance(result, ParsedPlan)
    assert all(i.lead and i.deadline and i.content for i in result.items)
    numbers = [int(i.number) for i in result.items]
    assert numbers == sorted(set(numbers))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".docx", ".xlsx", ".bin"]))
def test_arbitrary_bytes_return_a_plan_or_import_format_error(content, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(content)
        try:
            parse_plan_file(path)
        except ImportFormatError:
            pass

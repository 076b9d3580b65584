""".docx and .xlsx plans: seed round trips through the writers, then hand-built files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import seed_path

from dondoc.importer import (
    ParsedPlan,
    parse_docx,
    parse_plan_file,
    parse_xlsx,
    write_docx,
    write_xlsx,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = ["001_2d17fb29c0483998.txt", "002_b6a4a2778198d6b8.txt"]
HEADER = ["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp",
          "Thời gian hoàn thành"]


def seed_plan(name: str) -> ParsedPlan:
    return parse_plan_file(seed_path(name))


def item_facts(plan: ParsedPlan) -> list[tuple]:
    return [(i.number, i.area_code, i.content, i.lead, i.cooperating, i.deadline, i.product)
            for i in plan.items]


def metadata(plan: ParsedPlan) -> tuple:
    return (plan.title, plan.number, plan.issuer, plan.unit_name, plan.period_start,
            plan.period_end, plan.has_product_column)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", SEED_FILES)
@pytest.mark.parametrize(("writer", "parser", "suffix"),
                         [(write_docx, parse_docx, ".docx"), (write_xlsx, parse_xlsx, ".xlsx")])
def test_seed_round_trip(tmp_path, name, writer, parser, suffix):
    original = seed_plan(name)
    written = writer(original, tmp_path / f"plan{suffix}")
    assert written == tmp_path / f"plan{suffix}" and written.exists()
    for parsed in (parser(written), parse_plan_file(written)):
        assert parsed.source == f"plan{suffix}"
        assert item_facts(parsed) == item_facts(original)
        assert parsed.areas == original.areas
        assert metadata(parsed) == metadata(original)
        assert [i.position for i in parsed.items] == [i.position for i in original.items]


def test_written_docx_has_one_appendix_table(tmp_path):
    plan = seed_plan(SEED_FILES[1])
    document = docx.Document(str(write_docx(plan, tmp_path / "p.docx")))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADER + ["Sản phẩm"]
    section = table.rows[1].cells
    assert section[0].text == "I" and section[1].text == "CẢI CÁCH THỂ CHẾ"
    assert len(table.rows) == 1 + len(plan.areas) + len(plan.items)
    assert document.paragraphs[0].text == "ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN"


def test_written_xlsx_layout(tmp_path):
    plan = seed_plan(SEED_FILES[0])
    workbook = openpyxl.load_workbook(write_xlsx(plan, tmp_path / "p.xlsx"))
    assert workbook.sheetnames == ["Phụ lục"]
    ws = workbook["Phụ lục"]
    assert ws["A1"].value == plan.title
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "TT")
    assert [ws.cell(header_row, c).value for c in range(1, 6)] == HEADER
    assert ws.cell(header_row + 1, 1).value == "I"
    assert ws.cell(header_row + 2, 1).value == 1


@pytest.mark.parametrize(("writer", "disguise"),
                         [(write_docx, "plan.txt"), (write_xlsx, "plan.dat")])
def test_office_files_are_sniffed_by_content(tmp_path, writer, disguise):
    plan = seed_plan(SEED_FILES[1])
    real = writer(plan, tmp_path / ("real.docx" if writer is write_docx else "real.xlsx"))
    fake = tmp_path / disguise
    shutil.copy(real, fake)
    assert item_facts(parse_plan_file(fake)) == item_facts(plan)


def test_round_trip_keeps_newlines_and_items_before_first_section(tmp_path):
    plan = parse_plan_file_text(
        "1.\tKhông thuộc mục nào\tPhòng A\t\tQuý I",
        "I\tCải cách thể chế\t\t\t",
        "2.\tHai dòng\tPhòng B\tPhòng C\tQuý II",
        "II\tMục trống\t\t\t",
    )
    plan.items[1].deadline = "- Kế hoạch: Quý I\n- Báo cáo: Quý IV"
    plan.items[1].content = "= 100% hồ sơ"  # never becomes a spreadsheet formula
    for writer in (write_docx, write_xlsx):
        back = parse_plan_file(writer(plan, tmp_path / f"x.{writer.__name__[-4:]}"))
        assert item_facts(back) == item_facts(plan)
        assert back.areas == plan.areas


def parse_plan_file_text(*rows: str) -> ParsedPlan:
    from dondoc.importer import parse_text
    return parse_text("\n".join(["\t".join(HEADER), *rows]), "inline.txt")


# ---------------------------------------------------------------- hand-built .docx


def _fill(row, values):
    for cell, value in zip(row.cells, values):
        cell.text = value


def _appendix_table(document, rows, *, bold_header=True):
    table = document.add_table(rows=1, cols=5)
    for cell, name in zip(table.rows[0].cells, HEADER):
        cell.paragraphs[0].add_run(name).bold = bold_header
    for values in rows:
        _fill(table.add_row(), values)
    return table


def build_docx(path: Path) -> Path:
    document = docx.Document()
    letterhead = document.add_table(rows=1, cols=2)
    letterhead.rows[0].cells[0].text = "ỦY BAN NHÂN DÂN\nXÃ AN BÌNH"
    letterhead.rows[0].cells[1].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    document.add_paragraph("Số: 15 /KH-UBND")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Cải cách hành chính xã An Bình năm 2026")
    document.add_paragraph("")
    document.add_paragraph("PHỤ LỤC")

    first = _appendix_table(document, [
        ["I. CẢI CÁCH THỂ CHẾ"] * 5,                     # merged below
        ["1.", "Rà soát văn bản", "Văn phòng HĐND và UBND", "Các phòng", "Quý I"],
        ["2.", "Kiểm tra văn bản", "", "Các phòng", "- Kế hoạch: Quý I"],
        ["3.", "Theo dõi thi hành", "", "", "Hàng năm"],
        ["", "", "", "", "- Báo cáo: Quý IV"],          # TT merged from item 3 below
        ["II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"] * 5,         # same text in every cell, not merged
        ["4.", "Công bố TTHC phần đầu", "Trung tâm Phục vụ HCC", "", "Thường xuyên"],
    ])
    rows = first.rows
    rows[1].cells[0].merge(rows[1].cells[4]).text = "I. CẢI CÁCH THỂ CHẾ"
    # item 2's deadline cell holds two paragraphs
    rows[3].cells[4].add_paragraph("- Báo cáo: Quý IV")
    # "Cơ quan chủ trì" of item 1 shared by items 2 and 3 (vertical merge)
    rows[2].cells[2].merge(rows[4].cells[2])
    rows[2].cells[2].text = "Văn phòng HĐND và UBND"
    # item 3's TT and content span two rows; the second row only adds a deadline line
    rows[4].cells[0].merge(rows[5].cells[0])
    rows[4].cells[0].text = "3."
    rows[4].cells[1].merge(rows[5].cells[1])
    rows[4].cells[1].text = "Theo dõi thi hành"

    document.add_paragraph("")  # page break between the parts in real documents
    _appendix_table(document, [
        ["", "và công khai (phần tiếp)", "", "", ""],
        ["5.", "Số hóa hồ sơ", "Trung tâm Phục vụ HCC", "Các phòng", "Năm 2026"],
    ], bold_header=False)
    document.add_paragraph("Nơi nhận: ...")
    signature = document.add_table(rows=1, cols=2)
    signature.rows[0].cells[1].text = "CHỦ TỊCH"
    document.save(str(path))
    return path


def test_hand_built_docx(tmp_path):
    plan = parse_plan_file(build_docx(tmp_path / "an_binh.docx"))
    assert [(a.code, a.title) for a in plan.areas] == [
        ("I", "CẢI CÁCH THỂ CHẾ"), ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH")]
    assert item_facts(plan) == [
        ("1", "I", "Rà soát văn bản", "Văn phòng HĐND và UBND", "Các phòng", "Quý I", None),
        ("2", "I", "Kiểm tra văn bản", "Văn phòng HĐND và UBND", "Các phòng",
         "- Kế hoạch: Quý I\n- Báo cáo: Quý IV", None),
        ("3", "I", "Theo dõi thi hành", "Văn phòng HĐND và UBND", "", "Hàng năm - Báo cáo: Quý IV",
         None),
        ("4", "II", "Công bố TTHC phần đầu và công khai (phần tiếp)", "Trung tâm Phục vụ HCC", "",
         "Thường xuyên", None),
        ("5", "II", "Số hóa hồ sơ", "Trung tâm Phục vụ HCC", "Các phòng", "Năm 2026", None),
    ]
    assert [i.source_row for i in plan.items] == [3, 4, 5, 8, 11]
    assert (plan.title, plan.number, plan.issuer, plan.unit_name) == (
        "Kế hoạch cải cách hành chính xã An Bình năm 2026", "15/KH-UBND", "UBND xã An Bình",
        "Xã An Bình")
    assert (plan.period_start, plan.period_end) == (2026, 2026)
    assert plan.has_product_column is False


def test_docx_header_less_continuation_table(tmp_path):
    document = docx.Document()
    _appendix_table(document, [["1.", "Phần đầu", "Phòng A", "", "Quý I"]])
    document.add_paragraph("")
    part = document.add_table(rows=0, cols=5)
    _fill(part.add_row(), ["", "phần sau", "", "", ""])
    _fill(part.add_row(), ["2.", "Mục hai", "Phòng B", "", "Quý II"])
    document.save(str(tmp_path / "split.docx"))
    plan = parse_docx(tmp_path / "split.docx")
    assert [(i.number, i.content) for i in plan.items] == [("1", "Phần đầu phần sau"),
                                                           ("2", "Mục hai")]


# ---------------------------------------------------------------- hand-built .xlsx


def build_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Ghi chú"
    notes["A1"] = "Bảng theo dõi, xem trang sau"
    ws = workbook.create_sheet("Phụ lục")
    ws["A1"] = "ỦY BAN NHÂN DÂN\nPHƯỜNG BẮC HÀ"
    ws["A2"] = "Số: 3/KH-UBND"
    ws["A3"] = "KẾ HOẠCH"
    ws["A4"] = "Cải cách hành chính phường Bắc Hà giai đoạn 2026-2030"
    header_row = 6
    for col, name in enumerate(["STT", "Nội dung công việc", "Cơ quan chủ trì",
                                "Cơ quan phối hợp", "Thời hạn", "Sản phẩm"], start=2):
        ws.cell(header_row, col, name)
    ws.cell(7, 2, "I")
    ws.cell(7, 3, "Cải cách thể chế")
    ws.merge_cells(start_row=7, start_column=3, end_row=7, end_column=7)
    ws.append([None, 1.0, "Rà soát văn bản", "Văn phòng", "Các phòng", dt.datetime(2026, 3, 31),
               "Báo cáo"])
    ws.append([None, 2, "Kiểm tra\nvăn bản", None, None, "Quý II/2026", "Kế hoạch"])
    ws.merge_cells("D8:D9")  # lead of item 1 shared by item 2
    ws.append([None, None, "(tiếp theo)", None, None, None, None])
    ws.append([])
    ws.append([None, "II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"])
    ws.merge_cells("B12:G12")
    ws.append([None, "3.", "Công bố TTHC", "Trung tâm", "", "Thường xuyên", "Quyết định"])
    workbook.save(str(path))
    return path


def test_hand_built_xlsx(tmp_path):
    plan = parse_plan_file(build_xlsx(tmp_path / "bac_ha.xlsx"))
    assert plan.has_product_column is True
    assert [(a.code, a.title) for a in plan.areas] == [
        ("I", "Cải cách thể chế"), ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH")]
    assert item_facts(plan) == [
        ("1", "I", "Rà soát văn bản", "Văn phòng", "Các phòng", "31/03/2026", "Báo cáo"),
        ("2", "I", "Kiểm tra\nvăn bản (tiếp theo)", "Văn phòng", "", "Quý II/2026", "Kế hoạch"),
        ("3", "II", "Công bố TTHC", "Trung tâm", "", "Thường xuyên", "Quyết định"),
    ]
    assert [i.source_row for i in plan.items] == [8, 9, 13]
    assert (plan.title, plan.number, plan.issuer, plan.unit_name, plan.period_start,
            plan.period_end) == (
        "Kế hoạch cải cách hành chính phường Bắc Hà giai đoạn 2026-2030", "3/KH-UBND",
        "UBND phường Bắc Hà", "Phường Bắc Hà", 2026, 2030)


def test_docx_two_row_header_with_merged_cells(tmp_path):
    document = docx.Document()
    for part in (["1.", "Mục một", "Phòng A", "Phòng B", "Quý I"],
                 ["2.", "Mục hai", "Phòng C", "", "Quý II"]):
        table = document.add_table(rows=3, cols=5)
        top, sub = table.rows[0].cells, table.rows[1].cells
        for col, name in [(0, "TT"), (1, "Nội dung"), (4, "Thời gian thực hiện")]:
            top[col].merge(sub[col]).text = name
        top[2].merge(top[3]).text = "Cơ quan thực hiện"
        sub[2].text, sub[3].text = "Chủ trì", "Phối hợp"
        _fill(table.rows[2], part)
        document.add_paragraph("")
    document.save(str(tmp_path / "two_rows.docx"))
    plan = parse_docx(tmp_path / "two_rows.docx")
    assert item_facts(plan) == [("1", None, "Mục một", "Phòng A", "Phòng B", "Quý I", None),
                                ("2", None, "Mục hai", "Phòng C", "", "Quý II", None)]
    assert [i.source_row for i in plan.items] == [3, 6]

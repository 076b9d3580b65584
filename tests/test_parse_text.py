"""The text plan format: the two seed appendices, then the format rules one by one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dondoc.importer import ParsedArea, parse_plan_file, parse_text
from conftest import seed_path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_001 = "001_2d17fb29c0483998.txt"
SEED_002 = "002_b6a4a2778198d6b8.txt"

HEADER5 = "TT\tNội dung thực hiện\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành"
HEADER6 = HEADER5 + "\tSản phẩm"


def seed(name: str) -> Path:
    return seed_path(name)


@pytest.fixture(scope="module")
def plan001():
    return parse_plan_file(seed(SEED_001))


@pytest.fixture(scope="module")
def plan002():
    return parse_plan_file(seed(SEED_002))


# ---------------------------------------------------------------- seed 001


def test_001_items_numbered_1_to_62(plan001):
    assert [i.number for i in plan001.items] == [str(n) for n in range(1, 63)]
    assert [i.position for i in plan001.items] == list(range(1, 63))
    assert plan001.has_product_column is False
    assert all(i.product is None for i in plan001.items)


def test_001_areas(plan001):
    assert plan001.areas == [
        ParsedArea("I", "Cải cách thể chế", 1),
        ParsedArea("II", "Cải cách thủ tục hành chính", 2),
        ParsedArea("III", "Cải cách tổ chức bộ máy hành chính nhà nước", 3),
        ParsedArea("IV", "Cải cách chế độ công vụ", 4),
        ParsedArea("V", "Cải cách tài chính công", 5),
        ParsedArea("VI", "Xây dựng và phát triển chính quyền điện tử", 6),
    ]


@pytest.mark.parametrize(
    ("number", "area"),
    [("1", "I"), ("6", "I"), ("7", "II"), ("22", "II"), ("23", "III"), ("32", "III"),
     ("33", "IV"), ("38", "IV"), ("39", "V"), ("46", "V"), ("47", "VI"), ("62", "VI")],
)
def test_001_item_areas(plan001, number, area):
    assert next(i for i in plan001.items if i.number == number).area_code == area


def test_001_item_15_continuation_merged_across_repeated_header(plan001):
    item = plan001.items[14]
    assert item.number == "15"
    assert item.content == (
        "100% thủ tục hành chính, có yêu cầu nghĩa vụ tài chính, được triển khai thanh toán "
        "trực tuyến, trong số đó, tỷ lệ giao dịch thanh toán trực tuyến đạt tối thiểu từ 50% "
        "trở lên và tăng dần theo từng năm."
    )
    assert item.content.endswith("đạt tối thiểu từ 50% trở lên và tăng dần theo từng năm.")
    assert item.lead == "Các phòng, ban, ngành, đơn vị cấp xã."
    assert item.cooperating == "Trung tâm Phục vụ hành chính công."
    assert item.deadline == "- Thường xuyên."
    assert item.source_row == 348


def test_001_item_56_continuation_merged(plan001):
    item = plan001.items[55]
    assert item.number == "56"
    assert "thực hiện thủ tục hành chính trên môi trường điện tử. Hoàn thành cập nhật" in item.content
    assert item.content.endswith(
        "tăng khả năng tiếp cận dịch vụ thanh toán điện tử một cách rộng rãi đến người dân.")
    assert item.lead == "Trung tâm Phục vụ hành chính công."
    assert item.deadline == "- Thường xuyên."
    assert item.source_row == 406
    assert plan001.items[56].number == "57" and plan001.items[56].source_row == 410


def test_001_cells_are_clean(plan001):
    first = plan001.items[0]
    assert first.content.startswith("Rà soát, hoàn thiện văn bản QPPL trong các lĩnh vực")
    assert first.lead == "Các phòng, ban, ngành, đơn vị cấp xã."
    assert first.cooperating == "Văn phòng HĐND và UBND xã."
    assert first.source_row == 329
    assert plan001.items[1].deadline == (
        "- Kế hoạch: hàng năm. - BC kết quả thực hiện: theo quy định, hướng dẫn của Sở Tư pháp")
    for item in plan001.items:
        for value in (item.content, item.lead, item.cooperating, item.deadline):
            assert "<" not in value and "\t" not in value and "  " not in value
            assert value == value.strip()


def test_001_metadata(plan001):
    assert plan001.source == seed(SEED_001).name
    assert plan001.title == (
        "Kế hoạch cải cách hành chính trên địa bàn xã Ngọc Liên giai đoạn 2026 - 2030")
    assert plan001.number is None  # "Số: /QĐ-UBND": not numbered yet
    assert plan001.issuer == "UBND xã Ngọc Liên"
    assert plan001.unit_name == "Xã Ngọc Liên"
    assert (plan001.period_start, plan001.period_end) == (2026, 2030)


# ---------------------------------------------------------------- seed 002


def test_002_items_and_product_column(plan002):
    assert [i.number for i in plan002.items] == [str(n) for n in range(1, 32)]
    assert plan002.has_product_column is True
    assert all(i.product for i in plan002.items)
    assert plan002.items[0].product == "Kế hoạch UBND xã hoặc báo cáo kết quả rà soát"
    assert plan002.items[30].product == "Hội nghị, Báo cáo."


def test_002_areas_from_numbered_titles(plan002):
    assert [(a.code, a.title) for a in plan002.areas] == [
        ("I", "CẢI CÁCH THỂ CHẾ"),
        ("II", "CẢI CẢI THỦ TỤC HÀNH CHÍNH"),  # the document's own spelling
        ("III", "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC"),
        ("IV", "CÁCH CHẾ ĐỘ CÔNG VỤ"),
        ("V", "CẢI CÁCH TÀI CHÍNH CÔNG"),
        ("VI", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"),
        ("VII", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"),
    ]
    assert [a.position for a in plan002.areas] == list(range(1, 8))


def test_002_items_without_cooperating_office(plan002):
    by_number = {i.number: i for i in plan002.items}
    for number in ("26", "27", "28", "29"):
        assert by_number[number].cooperating == ""
        assert by_number[number].lead == "Phòng Văn hóa - Xã hội"
        assert by_number[number].area_code == "VII"
    assert by_number["25"].cooperating == "Các cơ quan, đơn vị có liên quan"


def test_002_metadata(plan002):
    assert plan002.title == "Kế hoạch cải cách hành chính xã Trường Xuân giai đoạn 2026 - 2030"
    assert plan002.number == "04/QĐ-UBND"
    assert plan002.issuer == "UBND xã Trường Xuân"
    assert plan002.unit_name == "Xã Trường Xuân"
    assert (plan002.period_start, plan002.period_end) == (2026, 2030)


def test_parse_text_equals_parse_plan_file(plan002):
    text = seed(SEED_002).read_text(encoding="utf-8")
    assert parse_text(text, seed(SEED_002).name) == plan002


# ---------------------------------------------------------------- format rules


def table(*rows: str, header: str = HEADER5, prose: str = "") -> str:
    return prose + "\n".join([header, *rows]) + "\n"


def test_item_number_with_or_without_dot():
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I", "2\tB\tPhòng B\tPhòng C\tQuý II",
                            "10 .\tC\tPhòng C\t\tQuý III"))
    assert [i.number for i in plan.items] == ["1", "2", "10"]
    assert [i.area_code for i in plan.items] == [None, None, None]
    assert plan.areas == []


def test_section_row_forms():
    plan = parse_text(table(
        "<b>I</b>\t<b>Cải cách thể chế</b>\t\t\t",
        "1.\tA\tPhòng A\t\tQuý I",
        "II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH\t\t\t\t",
        "2.\tB\tPhòng B\t\tQuý II",
        "III\tCải cách tổ chức bộ máy\t\t\t",
        "IV\tKhông có nhiệm vụ\t\t\t",
    ))
    assert [(a.code, a.title, a.position) for a in plan.areas] == [
        ("I", "Cải cách thể chế", 1), ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 2),
        ("III", "Cải cách tổ chức bộ máy", 3), ("IV", "Không có nhiệm vụ", 4)]
    assert [i.area_code for i in plan.items] == ["I", "II"]


def test_repeated_headers_bold_or_not_are_skipped():
    bold = "\t".join(f"<b>{c}</b>" for c in HEADER5.split("\t"))
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I", "", bold, "2.\tB\tPhòng B\t\tQuý II",
                            "", HEADER5, "3.\tC\tPhòng C\t\tQuý III"))
    assert [i.number for i in plan.items] == ["1", "2", "3"]


def test_bold_first_header_and_stt_label():
    bold = "<b>STT</b>\t<b>Nội dung công việc</b>\t<b>Cơ quan chủ trì</b>\t" \
           "<b>Cơ quan phối hợp</b>\t<b>Thời hạn</b>"
    plan = parse_text(table("1\tA\tPhòng A\t\tQuý I", header=bold))
    assert plan.items[0].deadline == "Quý I"


def test_continuation_appends_every_cell_with_a_space():
    plan = parse_text(table(
        "1.\tNội dung phần đầu\tPhòng A\tPhòng B\t- Kế hoạch: Quý I.\tKế hoạch",
        "", HEADER6,
        "\tphần sau.\tvà Phòng C\t\t- Báo cáo: Quý IV.\tBáo cáo",
        header=HEADER6))
    item = plan.items[0]
    assert item.content == "Nội dung phần đầu phần sau."
    assert item.lead == "Phòng A và Phòng C"
    assert item.cooperating == "Phòng B"
    assert item.deadline == "- Kế hoạch: Quý I. - Báo cáo: Quý IV."
    assert item.product == "Kế hoạch Báo cáo"
    assert item.source_row == 2


def test_deadline_may_arrive_in_the_continuation_row():
    plan = parse_text(table("1.\tNội dung\tPhòng A\t\t", "\ttiếp\t\t\tQuý II"))
    assert plan.items[0].deadline == "Quý II"


def test_trailing_empty_cells_tolerated_and_short_rows_padded():
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I\t\t\t", "2.\tB\tPhòng B\tPhòng C\tQuý II",
                            "3.\tC\tPhòng C\t\tQuý III\t", header=HEADER5))
    assert [i.deadline for i in plan.items] == ["Quý I", "Quý II", "Quý III"]
    plan6 = parse_text(table("1.\tA\tPhòng A\t\tQuý I", header=HEADER6))
    assert plan6.items[0].product == ""


def test_prose_and_blank_lines_between_table_parts_are_ignored():
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I", "", "## Phụ lục (tiếp)",
                            "Trang 2", "2.\tB\tPhòng B\t\tQuý II"))
    assert len(plan.items) == 2


def test_whitespace_and_tags_normalised():
    plan = parse_text(table("1.\t  Rà   soát <i>văn</i>\u00a0bản  \t<b>Phòng  A</b>\t \tQuý I"))
    item = plan.items[0]
    assert (item.content, item.lead, item.cooperating) == ("Rà soát văn bản", "Phòng A", "")


def test_numbering_gaps_are_allowed():
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I", "5.\tB\tPhòng B\t\tQuý II"))
    assert [i.number for i in plan.items] == ["1", "5"]


def test_crlf_bom_and_column_number_row():
    text = "\ufeff" + table("(1)\t(2)\t(3)\t(4)\t(5)", "1.\tA\tPhòng A\t\tQuý I").replace(
        "\n", "\r\n")
    plan = parse_text(text, "crlf.txt")
    assert plan.items[0].source_row == 3 and plan.items[0].deadline == "Quý I"


# ---------------------------------------------------------------- metadata


PREAMBLE_002_STYLE = """ỦY BAN NHÂN DÂN
THÀNH PHỐ CẦN THƠ

Số: 12 / KH-UBND

KẾ HOẠCH
Cải cách hành chính thành phố Cần Thơ năm 2026

"""


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        (PREAMBLE_002_STYLE,
         ("Kế hoạch cải cách hành chính thành phố Cần Thơ năm 2026", "12/KH-UBND",
          "UBND thành phố Cần Thơ", "Thành phố Cần Thơ", 2026, 2026)),
        ("**ỦY BAN NHÂN DÂN  \nTỈNH NINH BÌNH**\n\nSố: /KH-UBND\n\n**KẾ HOẠCH**  \n"
         "**Cải cách hành chính tỉnh Ninh Bình năm 2026**\n\n",
         ("Kế hoạch cải cách hành chính tỉnh Ninh Bình năm 2026", None, "UBND tỉnh Ninh Bình",
          "Tỉnh Ninh Bình", 2026, 2026)),
        ("UBND PHƯỜNG HẠC THÀNH\nSố: 7/QĐ-UBND\nQUYẾT ĐỊNH\n"
         "Về việc ban hành Kế hoạch cải cách hành chính\ngiai đoạn 2026–2030\n\n",
         ("Kế hoạch cải cách hành chính giai đoạn 2026–2030", "7/QĐ-UBND",
          "UBND phường Hạc Thành", "Phường Hạc Thành", 2026, 2030)),
        ("KẾ HOẠCH\nCải cách hành chính xã Vĩnh Bảo năm 2026\n\nThực hiện ...\n",
         ("Kế hoạch cải cách hành chính xã Vĩnh Bảo năm 2026", None, "UBND xã Vĩnh Bảo",
          "Xã Vĩnh Bảo", 2026, 2026)),
        ("", (None, None, None, None, None, None)),
    ],
)
def test_metadata_from_prose(prose, expected):
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I", prose=prose))
    got = (plan.title, plan.number, plan.issuer, plan.unit_name,
           plan.period_start, plan.period_end)
    assert got == expected


def test_metadata_ignores_prose_after_the_table():
    plan = parse_text(table("1.\tA\tPhòng A\t\tQuý I") + "\nSố: 99/QĐ-UBND\n")
    assert plan.number is None


@pytest.mark.parametrize("suffix", [".txt", ".md", ".tsv"])
def test_text_suffixes(tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    path.write_text(table("1.\tA\tPhòng A\t\tQuý I"), encoding="utf-8")
    plan = parse_plan_file(path)
    assert plan.source == f"plan{suffix}" and len(plan.items) == 1


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "plan16.txt"
    path.write_bytes(table("1.\tRà soát\tPhòng A\t\tQuý I").encode("utf-16"))
    assert parse_plan_file(path).items[0].content == "Rà soát"


def test_ten_thousand_rows_parse_fast():
    rows = ["I\tCải cách thể chế\t\t\t"]
    for n in range(1, 10_001):
        rows.append(f"{n}.\tNội dung nhiệm vụ số {n} " + "x" * 80
                    + "\tPhòng Văn hóa - Xã hội\tCác phòng, ban\t- Thường xuyên.")
        if n % 50 == 0:
            rows += ["", HEADER5, "\tphần tiếp theo của nội dung\t\t\t"]
    text = table(*rows)
    start = time.perf_counter()
    plan = parse_text(text)
    elapsed = time.perf_counter() - start
    assert len(plan.items) == 10_000
    assert plan.items[49].content.endswith("phần tiếp theo của nội dung")
    assert elapsed < 1.0, f"10,000 rows took {elapsed:.2f}s"


def test_two_row_header_repeated_after_page_break():
    top = "TT\tNội dung\tCơ quan thực hiện\t\tThời gian hoàn thành"
    sub = "\t\tChủ trì\tPhối hợp\t"
    plan = parse_text("\n".join([top, sub, "1.\tA\tPhòng A\tPhòng B\tQuý I", "",
                                 top, sub, "\tphần tiếp\t\t\t", "2.\tB\tPhòng C\t\tQuý II"]))
    assert [(i.number, i.content, i.lead, i.cooperating, i.deadline) for i in plan.items] == [
        ("1", "A phần tiếp", "Phòng A", "Phòng B", "Quý I"), ("2", "B", "Phòng C", "", "Quý II")]


def test_plain_column_numbering_row_is_skipped():
    plan = parse_text(table("1\t2\t3\t4\t5", "1.\tA\tPhòng A\t\tQuý I"))
    assert [(i.number, i.content) for i in plan.items] == [("1", "A")]

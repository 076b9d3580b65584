"""Status updates by spreadsheet: export an office's open items, fill them in, import them back."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conftest import build_app, PLAN_001, seed_path
from dondoc.storage.db import read_session
from dondoc.storage.models import StatusUpdate
from dondoc.storage.lookups import find_offices
from dondoc.usecases.sheets import CHECK, FIRST_ROW, NOTE, ON, PRODUCT, REF, STATUS, SheetError, export_sheet, import_sheet
from dondoc.storage.statusrun import run_status

AS_OF = date(2026, 4, 15)


@pytest.fixture
def office(engine):
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with read_session(engine) as session:
        [found] = find_offices(session, "Phòng Kinh tế")
        return found


def exported(engine, office, tmp_path):
    path = tmp_path / "kinh-te.xlsx"
    count = export_sheet(build_app(), office, AS_OF, path)
    return path, count


def rows_by_ref(ws):
    """The first row of each item (an item with several open milestones has several rows)."""
    rows: dict[str, int] = {}
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(row=r, column=REF).value:
            rows.setdefault(ws.cell(row=r, column=REF).value, r)
    return rows


def updates(engine):
    with read_session(engine) as session:
        return session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)).all()


def test_export_lists_open_items_with_fill_in_columns(engine, office, tmp_path):
    path, count = exported(engine, office, tmp_path)
    ws = load_workbook(path)["Cập nhật"]
    assert count > 0 and ws.max_row == FIRST_ROW + count - 1
    assert "Phòng Kinh tế" in ws["A1"].value and "15/04/2026" in ws["A1"].value
    assert [c.value for c in ws[3]] == ["Mục", "Nội dung", "Thời hạn", "Hạn", "Tình trạng hiện tại", "Trạng thái mới",
                                        "Ghi chú", "Sản phẩm", "Ngày cập nhật", "Mã kiểm tra"]
    assert ws.protection.sheet is True
    assert ws.column_dimensions["J"].hidden is True
    assert ws.cell(row=3, column=1).protection.locked is True
    assert ws.cell(row=FIRST_ROW, column=STATUS).protection.locked is False
    assert ws.cell(row=FIRST_ROW, column=REF).protection.locked is True
    [status_list] = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert "hoàn thành" in status_list.formula1 and "vướng mắc" in status_list.formula1
    assert str(status_list.sqref).startswith(f"F{FIRST_ROW}")
    # Item 5 ("Năm 2026", lead Phòng Kinh tế) is open with its due date.
    refs = rows_by_ref(ws)
    ref5 = next(ref for ref in refs if ref.endswith("#5"))
    assert ws.cell(row=refs[ref5], column=4).value.date() == date(2026, 12, 31)


def test_round_trip_records_statuses(engine, office, tmp_path):
    path, count = exported(engine, office, tmp_path)
    book = load_workbook(path)
    ws = book["Cập nhật"]
    refs = rows_by_ref(ws)
    ref5 = next(ref for ref in refs if ref.endswith("#5"))
    others = [ref for ref in refs if ref != ref5]
    ws.cell(row=refs[ref5], column=STATUS, value="hoàn thành")
    ws.cell(row=refs[ref5], column=PRODUCT, value="Quyết định số 45/QĐ-UBND")
    ws.cell(row=refs[ref5], column=ON, value=datetime(2026, 4, 10))
    ws.cell(row=refs[others[0]], column=STATUS, value="Vướng mắc")
    ws.cell(row=refs[others[0]], column=NOTE, value="Chờ kinh phí")
    book.save(path)

    result = import_sheet(build_app(), path, on=AS_OF)
    assert sorted(result.recorded) == sorted([ref5, others[0]])
    assert result.skipped == count - 2
    stored = sorted(updates(engine), key=lambda u: u.status)
    assert [(u.status, u.source, u.reported_by) for u in stored] == [
        ("hoan_thanh", "sheet", "Phòng Kinh tế"), ("vuong_mac", "sheet", "Phòng Kinh tế")]
    assert stored[0].product == "Quyết định số 45/QĐ-UBND" and stored[0].as_of == date(2026, 4, 10)
    assert stored[1].note == "Chờ kinh phí" and stored[1].as_of == AS_OF

    report = run_status(engine, AS_OF, build_app().calendar)
    row5 = next(r for r in report.rows if r.item == ref5)
    assert row5.shown.value == "hoan_thanh_dung_han" and row5.product == "Quyết định số 45/QĐ-UBND"
    # Done now: the next export leaves item 5 out.
    again = tmp_path / "again.xlsx"
    export_sheet(build_app(), office, AS_OF, again)
    assert ref5 not in rows_by_ref(load_workbook(again)["Cập nhật"])


@pytest.mark.parametrize("column, value, expected", [
    (STATUS, "xong rồi", "cột F (Trạng thái mới)"),
    (ON, "31/02/2026", "cột I (Ngày cập nhật)"),
    (ON, datetime(2026, 5, 1), "cột I (Ngày cập nhật)"),
    (NOTE, "x" * 2001, "cột G (Ghi chú)"),
    (PRODUCT, "y" * 501, "cột H (Sản phẩm)"),
    (REF, "xa-ngoc-lien-2026-2030#999", "cột A (Mục)"),
    (CHECK, "1.2.3.0123456789abcdef", "cột A (Mục)"),
    (CHECK, "abc", "cột J (Mã kiểm tra)"),
])
def test_a_bad_row_fails_the_whole_import(engine, office, tmp_path, column, value, expected):
    path, _ = exported(engine, office, tmp_path)
    book = load_workbook(path)
    ws = book["Cập nhật"]
    first, second = FIRST_ROW, FIRST_ROW + 1
    ws.cell(row=first, column=STATUS, value="đang thực hiện")  # a good row
    ws.cell(row=second, column=STATUS, value="đang thực hiện")
    ws.cell(row=second, column=column, value=value)
    book.save(path)
    with pytest.raises(SheetError) as caught:
        import_sheet(build_app(), path, on=AS_OF)
    message = str(caught.value)
    assert "kinh-te.xlsx" in message and f"dòng {second}, {expected}" in message
    assert f"dòng {first}," not in message
    assert updates(engine) == []


def test_a_removed_item_is_refused(engine, office, tmp_path):
    from dondoc.storage.db import unit_of_work
    from dondoc.storage.models import Item, utcnow

    path, _ = exported(engine, office, tmp_path)
    book = load_workbook(path)
    ws = book["Cập nhật"]
    ws.cell(row=FIRST_ROW, column=STATUS, value="đang thực hiện")
    ref = ws.cell(row=FIRST_ROW, column=REF).value
    book.save(path)
    item_id = int(ws.cell(row=FIRST_ROW, column=CHECK).value.split(".")[0])
    with unit_of_work(engine) as session:
        session.get(Item, item_id).removed_at = utcnow()
    with pytest.raises(SheetError, match=rf"dòng {FIRST_ROW}, cột A \(Mục\): mục {ref} không còn"):
        import_sheet(build_app(), path, on=AS_OF)
    assert updates(engine) == []


def test_blocked_without_reason_and_not_a_sheet(engine, office, tmp_path):
    path, _ = exported(engine, office, tmp_path)
    book = load_workbook(path)
    book["Cập nhật"].cell(row=FIRST_ROW, column=STATUS, value="vướng mắc")
    book.save(path)
    with pytest.raises(SheetError, match=rf"dòng {FIRST_ROW}, cột G \(Ghi chú\): Khi báo vướng mắc, hãy ghi rõ lý do"):
        import_sheet(build_app(), path, on=AS_OF)
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"not a spreadsheet")
    with pytest.raises(SheetError, match="other.xlsx"):
        import_sheet(build_app(), other, on=AS_OF)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StatusUpdate)) == 0


def test_empty_sheet_records_nothing(engine, office, tmp_path):
    path, count = exported(engine, office, tmp_path)
    result = import_sheet(build_app(), path, on=AS_OF)
    assert result.recorded == [] and result.skipped == count

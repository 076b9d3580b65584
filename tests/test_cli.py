"""The dondoc command, run in-process: output, JSON and exit codes."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from conftest import PLAN_001, PLAN_002, seed_path
from dondoc.cli import app
from dondoc.storage.db import get_engine, read_session
from dondoc.storage.models import Item, StatusUpdate

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_deadline_json_shape():
    result = invoke("deadline", "Quý II hàng năm", "--from", "2026-01-01", "--to", "2027-12-31", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == "Quý II hàng năm" and data["needs_review"] is False
    [m] = data["milestones"]
    assert m["kind"] == "yearly" and m["label"] is None
    assert m["due"] == ["2026-06-30", "2027-06-30"]
    assert m["effective_due"] == ["2026-06-30", "2027-06-30"]
    assert m["rrule"].startswith("FREQ=YEARLY")


def test_deadline_effective_date_rolls_past_weekend_and_can_be_turned_off(monkeypatch):
    data = json.loads(invoke("deadline", "chậm nhất tháng 01/2026", "--json").stdout)
    assert data["milestones"][0]["due"] == ["2026-01-31"]
    assert data["milestones"][0]["effective_due"] == ["2026-02-02"]  # 31/01/2026 is a Saturday
    monkeypatch.setenv("DONDOC_ROLL_FORWARD", "false")
    from dondoc.settings import get_settings

    get_settings.cache_clear()
    data = json.loads(invoke("deadline", "chậm nhất tháng 01/2026", "--from", "2026-01-01", "--json").stdout)
    assert data["milestones"][0]["effective_due"] == ["2026-01-31"]


def test_deadline_text_starting_with_a_dash_is_not_an_option():
    text = "- KH: Quý I hàng năm. - Thông báo, kết luận: Ngay sau cuộc kiểm tra. - Báo cáo kết quả: Tháng 12 hàng năm."
    result = invoke("deadline", text, "--from", "2026-01-01", "--to", "2026-12-31", "--plan-years", "2026-2030", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(m["label"], m["kind"], m["due"]) for m in data["milestones"]] == [
        ("KH", "yearly", ["2026-03-31"]),
        ("Thông báo, kết luận", "event", []),
        ("Báo cáo kết quả", "yearly", ["2026-12-31"]),
    ]
    assert data["milestones"][0]["rrule"] == "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=-1;UNTIL=20301231"


def test_deadline_unreadable_is_flagged():
    data = json.loads(invoke("deadline", "Tuần sau", "--json").stdout)
    assert data["needs_review"] is True and data["problems"]


def test_import_update_status_round_trip(db_url):
    result = invoke("import", str(seed_path(PLAN_001)), "--unit", "Xã Ngọc Liên")
    assert result.exit_code == 0, result.output
    assert "62 mục" in result.output
    result = invoke("update", "43", "--status", "hoan_thanh", "--product", "Kế hoạch số 12/KH-UBND", "--date", "2026-03-20")
    assert result.exit_code == 0, result.output
    assert "Đã ghi nhận trạng thái cho mục 43 (hạn 31/03/2026)." in result.output  # no plan code, no "fixed"
    result = invoke("status", "--as-of", "2026-04-15", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    row = next(r for r in data["rows"] if r["item"].endswith("#43"))
    assert row["shown"] == "hoan_thanh_dung_han" and row["colour"] == "green"
    assert data["totals"]["hoan_thanh_dung_han"] >= 1
    assert sum(data["totals"].values()) == len(data["rows"])
    people = invoke("status", "--as-of", "2026-04-15")
    assert people.exit_code == 0 and "Tình hình thực hiện tính đến ngày 15/04/2026" in people.output
    assert "Phòng Văn hóa - Xã hội" in people.output
    office = json.loads(invoke("status", "--as-of", "2026-04-15", "--office", "phong kinh te", "--json").stdout)
    assert {o["office"] for o in office["by_office"]} >= {"Phòng Kinh tế"}


def test_bad_input_exit_code_2_and_nothing_changes(db_url, tmp_path):
    assert invoke("import", str(seed_path(PLAN_002)), "--unit", "Xã Trường Xuân").exit_code == 0
    engine = get_engine(db_url)

    def count():
        with read_session(engine) as s:
            return s.scalar(select(func.count(Item.id))), s.scalar(select(func.count(StatusUpdate.id)))

    before = count()
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for args in (
        ("import", str(empty), "--unit", "Xã Trường Xuân"),
        ("import", str(tmp_path / "missing.txt"), "--unit", "Xã Trường Xuân"),
        ("update", "99", "--status", "hoan_thanh"),
        ("update", "1", "--status", "xong"),
        ("update", "1", "--status", "vuong_mac"),
        ("update", "1", "--status", "hoan_thanh", "--date", "31/02/2026"),
        ("status", "--office", "Phòng Không Tồn Tại"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Lỗi" in result.output
    assert count() == before


def test_review_and_set_deadline(db_url, tmp_path):
    plan = seed_path(PLAN_001).read_text(encoding="utf-8").replace("- Năm 2026\n", "- Tuần sau\n", 1)
    path = tmp_path / "plan.txt"
    path.write_text(plan, encoding="utf-8")
    result = invoke("import", str(path), "--unit", "Xã Ngọc Liên")
    assert result.exit_code == 0 and "1 mục có thời hạn cần xem lại" in result.output
    assert "Tuần sau" in invoke("review").output
    result = invoke("set-deadline", "5", "Quý II/2026")
    assert result.exit_code == 0, result.output
    assert "Không có thời hạn nào cần xem lại" in invoke("review").output
    data = json.loads(invoke("status", "--as-of", "2026-07-01", "--json").stdout)
    row = next(r for r in data["rows"] if r["item"].endswith("#5"))
    assert row["nominal_due"] == "2026-06-30" and row["shown"] == "qua_han"


CODES = ("xa-ngoc-lien-2026-2030", "xa-truong-xuan-2026-2030")


def _two_communes(sqlite_app):
    from conftest import install_process_app

    sqlite_app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    sqlite_app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    return install_process_app(sqlite_app)


def _status(*args: str):
    result = runner.invoke(app, ["status", "--as-of", "2026-04-15", *args], env={"COLUMNS": "80"},
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_default_status_of_two_plans_fits_an_80_column_terminal_without_plan_codes(sqlite_app):
    _two_communes(sqlite_app)
    out = _status()
    lines = out.splitlines()
    assert len(lines) <= 150 and max(len(line) for line in lines) <= 80, out
    assert not [code for code in CODES if code in out]
    assert "Tổng: 93 nhiệm vụ của 2 đơn vị" in out
    # the overdue list, one line per item: "Mục 37  <text>  <office>  <date>", under its commune
    assert "Quá hạn: 5 nhiệm vụ" in out and " Xã Ngọc Liên" in out and " Xã Trường Xuân" in out
    line_43 = next(line for line in lines if line.startswith("  Mục 43 "))
    assert line_43.split()[-1] == "31/03/2026" and "Phòng KT" in line_43 and "Tham mưu cho UBND" in line_43
    assert "Sắp đến hạn: không có." in out
    # per office counts, with the "chờ" and "thường xuyên" columns
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("Quá Sắp đến"))
    assert lines[header].split()[-3:] == ["Chờ", "Thường", "Tổng"] and lines[header + 1].split()[-1] == "xuyên"
    kt = next(line for line in lines[header:] if line.startswith("  Phòng Kinh tế"))
    overdue, soon, on_track, done, waiting, continuous, total = map(int, kt.split()[-7:])
    assert (overdue, waiting, continuous) == (2, 1, 19) and total == overdue + soon + on_track + done + waiting + continuous


def test_full_tables_with_all_name_items_without_codes_and_codes_on_request(sqlite_app):
    _two_communes(sqlite_app)
    full = _status("--all")
    assert "Tổng hợp (số mốc)" in full and "Ngọc Liên" in full and not [c for c in CODES if c in full]
    assert "xa-ngoc-lien-2026-2030#43" in _status("--codes")
    assert "xa-truong-xuan-2026-2030#22" in _status("--all", "--codes")


def test_status_json_is_the_report_unchanged(sqlite_app):
    from datetime import date

    _two_communes(sqlite_app)
    data = json.loads(_status("--json"))
    assert data == json.loads(json.dumps(sqlite_app.status(date(2026, 4, 15)).as_json()))
    assert data["rows"][0]["item"].startswith(CODES)


def test_status_of_one_area_counts_items_per_area(sqlite_app):
    _two_communes(sqlite_app)
    out = _status("--by-area", "--unit", "Xã Ngọc Liên")
    assert "Theo lĩnh vực (số nhiệm vụ)" in out and "Tổng: 62 nhiệm vụ của Xã Ngọc Liên" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_status_of_many_communes_counts_per_commune(sqlite_app):
    from datetime import date

    from conftest import install_process_app

    install_process_app(sqlite_app).build_demo(communes=5, seed=2026, as_of=date(2026, 4, 15), province="Tỉnh Thanh Hóa")
    out = _status()
    lines = out.splitlines()
    assert "Theo đơn vị (số nhiệm vụ)" in out and "Theo cơ quan chủ trì (số nhiệm vụ)" not in out
    assert len(lines) <= 80 and max(len(line) for line in lines) <= 80, out
    assert not [line for line in lines if "-2026-2030" in line]


def test_review_with_two_communes_gives_a_command_that_works(db_url, tmp_path):
    import shlex

    plan = seed_path(PLAN_001).read_text(encoding="utf-8").replace("- Năm 2026\n", "- Tuần sau\n", 1)
    path = tmp_path / "plan.txt"
    path.write_text(plan, encoding="utf-8")
    assert invoke("import", str(path), "--unit", "Xã Ngọc Liên").exit_code == 0
    assert invoke("import", str(seed_path(PLAN_002)), "--unit", "Xã Trường Xuân").exit_code == 0
    review = runner.invoke(app, ["review"], env={"COLUMNS": "80"})
    assert max(len(line) for line in review.output.splitlines()) <= 80 and not [c for c in CODES if c in review.output]
    [command] = [line.strip() for line in review.output.splitlines() if "dondoc set-deadline" in line]
    assert command == 'dondoc set-deadline 5 "Quý II/2026" --unit "Xã Ngọc Liên"'
    result = invoke(*shlex.split(command)[1:])
    assert result.exit_code == 0 and result.output.startswith("Mục 5: một lần"), result.output
    assert "Không có thời hạn nào cần xem lại" in invoke("review").output


def test_status_via_prefect_refuses_options_the_status_run_does_not_take(db_url):
    result = invoke("status", "--via-prefect", "--all")
    assert result.exit_code == 2 and "--via-prefect chỉ nhận" in result.output

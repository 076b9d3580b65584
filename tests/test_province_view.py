"""A province sees its communes: the status run of a unit includes the units under it."""

from __future__ import annotations

from datetime import date

from conftest import PLAN_001, PLAN_002, seed_path
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Unit


def test_the_province_status_run_includes_its_communes(app):
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    with unit_of_work(app.engine) as s:
        province = Unit(name="Tỉnh Thanh Hóa", slug="tinh-thanh-hoa", level="province")
        s.add(province)
        s.flush()
        for unit in s.query(Unit).filter(Unit.name.like("Xã %")):
            unit.parent_id = province.id
    day = date(2026, 6, 30)
    everything = app.status(day)
    province_run = app.status(day, unit="Tỉnh Thanh Hóa")
    assert len(province_run.rows) == len(everything.rows) > 0
    assert {r.unit for r in province_run.rows} == {"Xã Ngọc Liên", "Xã Trường Xuân"}
    one = app.status(day, unit="Xã Ngọc Liên")
    assert {r.unit for r in one.rows} == {"Xã Ngọc Liên"} and 0 < len(one.rows) < len(everything.rows)


def test_pages_are_sent_gzipped_to_a_browser_that_accepts_it(app):
    from fastapi.testclient import TestClient

    from dondoc.web.app import create_app

    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    client = TestClient(create_app(app))
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in page.headers.get("vary", "")
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == page.text


def test_dondoc_unit_puts_communes_under_a_province(app):
    from typer.testing import CliRunner

    from conftest import install_process_app
    from dondoc.cli import app as cli

    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    install_process_app(app)
    runner = CliRunner()
    first = runner.invoke(cli, ["unit", "Xã Ngọc Liên", "--under", "Tỉnh Thanh Hóa"], env={"COLUMNS": "80"})
    assert first.exit_code == 0, first.output
    assert "đơn vị cấp trên mới được tạo" in first.output
    second = runner.invoke(cli, ["unit", "Xã Trường Xuân", "--under", "Tỉnh Thanh Hóa"], env={"COLUMNS": "80"})
    assert second.exit_code == 0 and "2 đơn vị trực thuộc" in " ".join(second.output.split())
    circle = runner.invoke(cli, ["unit", "Tỉnh Thanh Hóa", "--under", "Xã Ngọc Liên"], env={"COLUMNS": "80"})
    assert circle.exit_code == 2 and "Traceback" not in circle.output
    unknown = runner.invoke(cli, ["unit", "Xã Không Có", "--under", "Tỉnh Thanh Hóa"], env={"COLUMNS": "80"})
    assert unknown.exit_code == 2 and "Không tìm thấy đơn vị" in unknown.output
    day = date(2026, 6, 30)
    assert len(app.status(day, unit="Tỉnh Thanh Hóa").rows) == len(app.status(day).rows)
    with unit_of_work(app.engine) as s:
        assert s.query(Unit).filter_by(name="Tỉnh Thanh Hóa").one().level == "province"

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

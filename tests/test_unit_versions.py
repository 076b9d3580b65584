"""Per-unit data versions: every kind of write raises the version of the unit it touched (and so of the
province above it), never another unit's; reads and refused writes change nothing. Two communes: Ngọc Liên
(plan 001) under Tỉnh Thanh Hóa, and Trường Xuân (plan 002) on its own; the day is Wednesday 15/04/2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import PLAN_001, PLAN_002, ROOT, build_app, seed_path
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from dondoc.app import Dondoc
from dondoc.domain.rules import InvalidUpdate
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Item, Milestone, Office, Plan, Unit
from dondoc.storage.unitversions import bump, unit_version
from dondoc.usecases import feeds
from dondoc.usecases.sheets import FIRST_ROW, REF, STATUS, export_sheet, import_sheet

NGOC_LIEN, TRUONG_XUAN, PROVINCE = "Xã Ngọc Liên", "Xã Trường Xuân", "Tỉnh Thanh Hóa"
TODAY = datetime(2026, 4, 15, 8, 0)
PDF = b"%PDF-1.4\n% minh chung\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    app: Dondoc
    tmp: Path
    units: dict[str, int]

    def versions(self) -> dict[str, tuple]:
        return {name: unit_version(self.app.engine, unit_id) for name, unit_id in self.units.items()}

    def changed(self, write) -> set[str]:
        """The units whose version ``write`` changed."""
        before = self.versions()
        write(self)
        after = self.versions()
        return {name for name in before if before[name] != after[name]}

    def office(self, unit: str, name: str = "Phòng Kinh tế") -> int:
        with read_session(self.app.engine) as session:
            return session.scalar(select(Office.id).where(Office.unit_id == self.units[unit], Office.name == name))


@pytest.fixture
def world(db_url, tmp_path) -> World:
    app = build_app(TODAY)
    app.import_file(seed_path(PLAN_001), unit_name=NGOC_LIEN)
    app.import_file(seed_path(PLAN_002), unit_name=TRUONG_XUAN)
    app.place_unit(NGOC_LIEN, PROVINCE)
    with read_session(app.engine) as session:
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
    return World(app, tmp_path, units)


# ------------------------------------------------------------------ one test per kind of write


def _web_report(w: World) -> None:
    """An office reports on its page, with an evidence file."""
    from dondoc.web.app import create_app

    unit, office = w.units[NGOC_LIEN], w.office(NGOC_LIEN)
    with unit_of_work(w.app.engine) as session:
        token = links.ensure_link(session, links.OFFICE, unit, office).token
    client = TestClient(create_app(w.app))
    item = _item(w, NGOC_LIEN, "43")
    url = f"/o/{token}/items/{item}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)
    before = w.versions()
    answer = client.post(url, data={"csrf": csrf, "status": "hoan_thanh", "product": "Kế hoạch số 12/KH-UBND"},
                         files={"evidence": ("ke-hoach.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert w.versions() != before


def _item(w: World, unit: str, number: str) -> int:
    with read_session(w.app.engine) as session:
        return session.scalar(select(Item.id).join(Plan, Plan.id == Item.plan_id)
                              .where(Plan.unit_id == w.units[unit], Item.number == number))


def _event_item(w: World) -> str:
    with read_session(w.app.engine) as session:
        return session.scalar(select(Item.number).join(Plan, Plan.id == Item.plan_id)
                              .join(Milestone, Milestone.item_id == Item.id)
                              .where(Plan.unit_id == w.units[NGOC_LIEN], Milestone.kind == "event").limit(1))


def _reimport(w: World) -> None:
    """Plan 001 again with one item's text edited."""
    lines = seed_path(PLAN_001).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) >= 5 and cells[0].strip().rstrip(".") == "43":
            cells[1] += " (sửa)"
            lines[i] = "\t".join(cells)
            break
    else:
        raise AssertionError("item 43 not found in plan 001")
    path = w.tmp / "ke-hoach-sua.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    w.app.import_file(path, unit_name=NGOC_LIEN)


def _sheet(w: World) -> None:
    """An office fills in its spreadsheet and the standing office imports it."""
    path = w.tmp / "kinh-te.xlsx"
    export_sheet(w.app, w.office(NGOC_LIEN), TODAY.date(), path)
    book = load_workbook(path)
    sheet = book["Cập nhật"]
    sheet.cell(row=FIRST_ROW, column=STATUS, value="đang thực hiện")
    assert sheet.cell(row=FIRST_ROW, column=REF).value
    book.save(path)
    assert import_sheet(w.app, path, on=TODAY.date()).recorded


def _remove_person(w: World) -> None:
    from dondoc.usecases.people import remove_one

    assert remove_one(w.app, w.units[NGOC_LIEN], "kt")


PEOPLE = ROOT / "tests" / "fixtures" / "people_ngoc_lien.yaml"

WRITES = {
    "status report": lambda w: w.app.record_update("43", "hoan_thanh", unit=NGOC_LIEN, product="Kế hoạch 12"),
    "status report on the office page, with a file": _web_report,
    "extension": lambda w: w.app.extend("43", date(2026, 6, 30), by="Chủ tịch UBND xã", unit=NGOC_LIEN),
    "acknowledgement": lambda w: w.app.acknowledge("43", by="Chủ tịch UBND xã", unit=NGOC_LIEN),
    "event triggered": lambda w: w.app.trigger(_event_item(w), due=date(2026, 5, 29), unit=NGOC_LIEN),
    "deadline set": lambda w: w.app.set_deadline("43", "Quý II/2026", unit=NGOC_LIEN),
    "plan imported again": _reimport,
    "office name mapped to a new office": lambda w: w.app.map_office("Ban Quản lý chợ", to=None, unit=NGOC_LIEN),
    "link rotated": lambda w: w.app.rotate_link("office", unit=NGOC_LIEN, office="Phòng Kinh tế"),
    "link issued": lambda w: w.app.feed("Phòng Văn hóa - Xã hội", unit=NGOC_LIEN),
    "spreadsheet imported": _sheet,
    "people imported": lambda w: w.app.import_people(PEOPLE, unit=NGOC_LIEN),
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_a_write_raises_its_unit_and_the_province_above_it_only(world, kind):
    assert world.changed(WRITES[kind]) == {NGOC_LIEN, PROVINCE}


def test_removing_a_person_raises_the_unit(world):
    world.app.import_people(PEOPLE, unit=NGOC_LIEN)
    assert world.changed(_remove_person) == {NGOC_LIEN, PROVINCE}


def test_a_write_in_the_other_commune_leaves_ngoc_lien_and_the_province_alone(world):
    assert world.changed(lambda w: w.app.record_update("1", "dang_thuc_hien", unit=TRUONG_XUAN,
                                                       note="Đang triển khai")) == {TRUONG_XUAN}


def test_placing_a_unit_raises_it_and_its_new_parent(world):
    assert world.changed(lambda w: w.app.place_unit(TRUONG_XUAN, PROVINCE)) == {TRUONG_XUAN, PROVINCE}


def test_demo_data_raises_the_province_only(world):
    assert world.changed(lambda w: w.app.build_demo(communes=1, seed=1, as_of=TODAY.date(),
                                                    province=PROVINCE)) == {PROVINCE}


def test_a_bulk_write_counts_through_bump(world):
    with world.app.engine.begin() as conn:
        before = world.versions()
        assert bump(conn, items=[_item(world, TRUONG_XUAN, "1")]) == {world.units[TRUONG_XUAN]}
    after = world.versions()
    assert {name for name in before if before[name] != after[name]} == {TRUONG_XUAN}


# ------------------------------------------------------------------ what does not count


def test_reads_change_no_version(world):
    app = world.app
    scope = feeds.Scope(world.units[NGOC_LIEN], world.office(NGOC_LIEN))

    def reads(w: World) -> None:
        app.status(unit=PROVINCE)
        app.feed("Phòng Kinh tế", unit=NGOC_LIEN)  # the feed's SEQUENCE state is not the unit's data
        feeds.build_feed(app.engine, scope, feeds.options_from(app, TODAY.date()))
        app.links(NGOC_LIEN)

    reads(world)  # the first time issues the links the feeds and the list carry: a write, once
    assert world.changed(reads) == set()


def test_a_refused_write_changes_nothing(world):
    def refused(w: World) -> None:
        with pytest.raises(InvalidUpdate):
            w.app.extend("43", date(2020, 1, 1), by="Chủ tịch UBND xã", unit=NGOC_LIEN)

    assert world.changed(refused) == set()


def test_a_unit_never_written_has_a_version_and_keeps_it(world):
    first = unit_version(world.app.engine, world.units[TRUONG_XUAN])
    assert first == unit_version(world.app.engine, world.units[TRUONG_XUAN])
    assert unit_version(world.app.engine, 10**6) == (10**6,)  # no such unit: nothing to add up

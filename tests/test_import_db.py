"""Importing the real plans into the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conftest import PLAN_001, PLAN_002, build_app, seed_path
from dondoc.storage.db import read_session, unit_of_work
from dondoc.importer import ParsedPlan, parse_plan_file, write_docx, write_xlsx
from dondoc.storage.models import Area, AuditEntry, Item, ItemOffice, Milestone, Occurrence, Office, Plan, StatusUpdate
from dondoc.usecases.importing import UnknownOffices


def load(engine, name=PLAN_001, unit="Xã Ngọc Liên", parsed: ParsedPlan | None = None, **kw):
    parsed = parsed or parse_plan_file(seed_path(name))
    return build_app().import_plan(parsed, unit_name=unit, **kw)


def snapshot(engine) -> dict:
    """Row counts of every table: what "the database is unchanged" means."""
    with read_session(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Plan, Area, Item, ItemOffice, Milestone, Occurrence, Office, StatusUpdate, AuditEntry)
        }


def test_plan_001_imports_completely(engine):
    report = load(engine)
    assert report.created and report.items_added == 62 and report.needs_review == []
    with read_session(engine) as s:
        plan = s.scalar(select(Plan))
        assert (plan.period_start, plan.period_end) == (2026, 2030)
        assert [a.code for a in plan.areas] == ["I", "II", "III", "IV", "V", "VI"]
        items = {i.number: i for i in plan.items}
        assert len(items) == 62
        assert items["15"].content.endswith("tăng dần theo từng năm.")
        assert "môi trường điện tử" in items["56"].content
        assert items["1"].area.code == "I" and items["62"].area.code == "VI"
        for item in items.values():
            leads = [link for link in item.offices if link.role == "lead"]
            assert leads, f"item {item.number} has no lead office"
            assert not item.needs_review
        # Item 18: "Tổ công tác Đề án 06; Công an xã." -> two explicit leads.
        lead18 = sorted(link.office.name for link in items["18"].offices if link.role == "lead")
        assert lead18 == ["Công an xã", "Tổ công tác Đề án 06"]
        # Item 38: three milestones, two of them yearly, one awaiting an event.
        kinds = [m.kind for m in items["38"].milestones if m.active]
        assert kinds == ["yearly", "event", "yearly"]
        occ = s.scalars(select(Occurrence.nominal_due).join(Milestone).where(Milestone.item_id == items["38"].id)).all()
        assert sorted(d.isoformat() for d in occ)[:2] == ["2026-03-31", "2026-12-31"]
        assert len(occ) == 10  # two yearly milestones over 2026-2030


def test_plan_002_imports_completely(engine):
    report = load(engine, PLAN_002, "Xã Trường Xuân")
    assert report.items_added == 31 and report.needs_review == []
    with read_session(engine) as s:
        plan = s.scalar(select(Plan))
        assert len(plan.areas) == 7
        items = {i.number: i for i in plan.items}
        assert items["1"].product == "Kế hoạch UBND xã hoặc báo cáo kết quả rà soát"
        assert [link.role for link in items["26"].offices] == ["lead"]  # no cooperating office
        assert items["24"].milestones[0].due_date.isoformat() == "2030-12-31"


def test_reimport_updates_in_place_and_keeps_history(engine):
    load(engine)
    with unit_of_work(engine) as s:
        item = s.scalar(select(Item).where(Item.number == "43"))
        ids = {i.number: i.id for i in s.scalars(select(Item))}
        occ = item.milestones[0].occurrences[0]
        s.add(StatusUpdate(item_id=item.id, milestone_id=occ.milestone_id, occurrence_id=occ.id, status="hoan_thanh",
                           as_of=occ.nominal_due))
    before = snapshot(engine)
    again = load(engine)
    assert not again.created and again.items_unchanged == 62 and again.items_updated == 0
    after = snapshot(engine)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    with read_session(engine) as s:
        assert {i.number: i.id for i in s.scalars(select(Item))} == ids
        assert s.scalar(select(func.count(StatusUpdate.id))) == 1

    # A changed deadline and a dropped item: the milestone and its due date keep their identity (the
    # done report goes along, the old date is kept beside the new one); the item is marked removed.
    parsed = parse_plan_file(seed_path(PLAN_001))
    parsed.items[42].deadline = "Quý II/2026"
    dropped = parsed.items.pop()
    third = load(engine, parsed=parsed)
    assert third.items_updated == 1 and third.items_removed == 1
    assert [(c.number, c.what) for c in third.changes] == [("43", ("thời hạn",))]
    assert third.removed == [dropped.number]
    with read_session(engine) as s:
        item = s.scalar(select(Item).where(Item.number == "43"))
        assert item.id == ids["43"]
        active = [m for m in item.milestones if m.active]
        assert [m.due_date.isoformat() for m in active] == ["2026-06-30"]
        assert len(item.milestones) == 1
        moved = active[0].occurrences[0]
        assert moved.id == occ.id and moved.nominal_due.isoformat() == "2026-06-30"
        assert moved.previous_due == occ.nominal_due
        gone = s.scalar(select(Item).where(Item.number == dropped.number))
        assert gone.removed_at is not None and gone.id == ids[dropped.number]
        assert s.scalar(select(func.count(StatusUpdate.id))) == 1
        assert s.scalar(select(StatusUpdate.occurrence_id)) == occ.id


@pytest.mark.parametrize("writer", [write_docx, write_xlsx], ids=["docx", "xlsx"])
@pytest.mark.parametrize("name", [PLAN_001, PLAN_002])
def test_office_files_import_to_the_same_items(engine, tmp_path, writer, name):
    text_plan = parse_plan_file(seed_path(name))
    path = writer(text_plan, tmp_path / f"plan{'.docx' if writer is write_docx else '.xlsx'}")
    load(engine, name, "Xã A", parsed=text_plan)
    load(engine, name, "Xã B", parsed=parse_plan_file(path))
    with read_session(engine) as s:
        def items(unit):
            rows = s.execute(
                select(Item.number, Item.content, Item.lead_text, Item.cooperating_text, Item.deadline_text, Item.product, Area.code)
                .select_from(Item).join(Plan, Plan.id == Item.plan_id)
                .join(Area, Area.id == Item.area_id, isouter=True)
                .where(Plan.unit.has(name=unit)).order_by(Item.position)
            ).all()
            return [tuple(r) for r in rows]

        assert items("Xã A") == items("Xã B")
        assert len(items("Xã A")) == len(text_plan.items)


def test_an_unknown_office_is_held_and_the_items_still_imported(engine):
    load(engine)
    parsed = parse_plan_file(seed_path(PLAN_001))
    parsed.items[4].lead = "Ban Quản lý dự án xã"
    parsed.items[9].cooperating = "Hội Nông dân; Phòng Kinh tế"
    report = load(engine, parsed=parsed)
    held = {(p.item, p.column, p.name, p.row) for p in report.unknown_offices}
    assert held == {(parsed.items[4].number, "Cơ quan chủ trì", "Ban Quản lý dự án xã", parsed.items[4].source_row),
                    (parsed.items[9].number, "Cơ quan phối hợp", "Hội Nông dân", parsed.items[9].source_row)}
    app = build_app()
    run = app.status(app.today())
    waiting = [r for r in run.rows if r.item.endswith(f"#{parsed.items[4].number}")]
    assert waiting and all(r.lead == [] for r in waiting)
    assert "Chưa xác định cơ quan" in [g.name for g in run.by_office]
    # the standing office says what the names stand for; the items get their office at once
    assert app.map_office("Ban Quản lý dự án xã", to="Phòng Kinh tế", unit="Xã Ngọc Liên") == 1
    assert app.map_office("Hội Nông dân", to=None, unit="Xã Ngọc Liên") == 0
    with read_session(engine) as s:
        item = s.scalar(select(Item).where(Item.number == parsed.items[4].number))
        assert item.unknown_offices is None
        assert [link.office.name for link in item.offices if link.role == "lead"] == ["Phòng Kinh tế"]
        coop = s.scalar(select(Item).where(Item.number == parsed.items[9].number))
        assert "Hội Nông dân" in [link.office.name for link in coop.offices]
    with pytest.raises(UnknownOffices):
        app.map_office("Ban khác", to="Phòng không có", unit="Xã Ngọc Liên")


def test_create_offices_makes_the_unknown_names_offices(engine):
    load(engine)
    parsed = parse_plan_file(seed_path(PLAN_001))
    parsed.items[4].lead = "Ban Quản lý dự án xã"
    parsed.items[9].cooperating = "Hội Nông dân; Phòng Kinh tế"

    # --create-offices accepts them as new offices of the unit, and says so.
    report = load(engine, parsed=parsed, create_offices=True)
    assert sorted(report.offices_created) == ["Ban Quản lý dự án xã", "Hội Nông dân"]
    with read_session(engine) as s:
        assert s.scalar(select(func.count(Office.id)).where(Office.from_config.is_(False))) == 2

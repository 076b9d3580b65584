"""Re-imports and new deadline meanings keep what offices and leadership recorded.

A milestone keeps its identity when its words change, when its due date moves (the old
date is kept beside the new one), when the item leaves the plan and comes back, and
across file formats; the import report names the real changes only.
"""

from __future__ import annotations

import copy
import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from conftest import PLAN_001, PLAN_002, seed_path
from dondoc.importer import parse_plan_file, write_docx, write_xlsx
from dondoc.storage.db import read_session
from dondoc.storage.models import Extension, Item, Milestone, Occurrence, Plan, StatusUpdate, Unit

UNIT = "Xã Trường Xuân"


def rows_of(app, number: str, as_of: date, unit: str = UNIT) -> dict:
    run = app.status(as_of, unit=unit)
    return {(r.label, r.nominal_due): (r.shown, r.extended_due) for r in run.rows if r.item.rsplit("#", 1)[-1] == number}


def test_a_reworded_cell_keeps_the_done_status_and_the_extension(app):
    parsed = parse_plan_file(seed_path(PLAN_002))
    app.import_plan(parsed, unit_name=UNIT)
    app.record_update("2", "hoan_thanh", on=date(2026, 3, 10), milestone="Ban hành kế hoạch",
                      product="Kế hoạch số 5/KH-UBND", unit=UNIT)
    app.extend("2", date(2027, 3, 31), by="Chủ tịch UBND xã", on=date(2026, 6, 1), milestone="Thực hiện",
               due=date(2026, 12, 31), unit=UNIT)
    before = rows_of(app, "2", date(2026, 6, 30))
    assert before[("Ban hành kế hoạch", date(2026, 3, 31))][0].startswith("hoan_thanh")
    assert before[("Thực hiện", date(2026, 12, 31))][1] == date(2027, 3, 31)
    item = parsed.items[1]
    assert "2026 - 2030" in item.deadline
    item.deadline = item.deadline.replace("2026 - 2030", "2026-2030")
    report = app.import_plan(parsed, unit_name=UNIT)
    assert rows_of(app, "2", date(2026, 6, 30)) == before
    assert [(c.number, c.what) for c in report.changes] == [("2", ("lời văn thời hạn",))]
    assert report.items_unchanged == 30


def test_a_moved_date_carries_the_history_and_an_edit_and_its_revert_change_nothing(app):
    parsed = parse_plan_file(seed_path(PLAN_002))
    app.import_plan(parsed, unit_name=UNIT)
    app.record_update("2", "hoan_thanh", on=date(2026, 3, 10), milestone="Ban hành kế hoạch",
                      product="Kế hoạch số 5/KH-UBND", unit=UNIT)
    with read_session(app.engine) as s:
        ids = dict(s.execute(select(Milestone.label, Milestone.id).join(Item).where(Item.number == "2")).all())
    original = parsed.items[1].deadline
    parsed.items[1].deadline = original.replace("Quý I/2026", "Quý II/2026")
    report = app.import_plan(parsed, unit_name=UNIT)
    (change,) = report.changes
    assert change.what == ("thời hạn",)
    assert change.moved == (("Ban hành kế hoạch", date(2026, 3, 31), date(2026, 6, 30)),)
    assert "Ban hành kế hoạch: 31/03/2026 → 30/06/2026" in report.change_lines()[0]
    with read_session(app.engine) as s:
        occ = s.execute(select(Occurrence).join(Milestone).where(Milestone.id == ids["Ban hành kế hoạch"])).scalar_one()
        assert (occ.nominal_due, occ.previous_due) == (date(2026, 6, 30), date(2026, 3, 31))
        assert s.scalar(select(StatusUpdate.occurrence_id)) == occ.id
    assert rows_of(app, "2", date(2026, 7, 1))[("Ban hành kế hoạch", date(2026, 6, 30))][0].startswith("hoan_thanh")

    parsed.items[1].deadline = original
    back = app.import_plan(parsed, unit_name=UNIT)
    assert [c.what for c in back.changes] == [("thời hạn",)]
    with read_session(app.engine) as s:
        now = dict(s.execute(select(Milestone.label, Milestone.id).join(Item)
                             .where(Item.number == "2", Milestone.active.is_(True))).all())
        assert now == ids
        assert s.scalar(select(func.count(Milestone.id))) == s.scalar(select(func.count(Milestone.id))
                                                                       .where(Milestone.active.is_(True)))


def test_set_deadline_keeps_the_history_of_the_milestone(app):
    app.import_plan(parse_plan_file(seed_path(PLAN_001)), unit_name="Xã Ngọc Liên")
    app.record_update("43", "dang_thuc_hien", on=date(2026, 3, 10), unit="Xã Ngọc Liên")
    app.set_deadline("43", "Quý III/2026", unit="Xã Ngọc Liên")
    with read_session(app.engine) as s:
        update = s.scalar(select(StatusUpdate))
        occ = s.get(Occurrence, update.occurrence_id)
        assert occ.nominal_due == date(2026, 9, 30) and occ.milestone.active
        assert occ.previous_due is not None


def test_a_milestone_that_leaves_the_text_is_retired_with_its_history_and_comes_back(app):
    parsed = parse_plan_file(seed_path(PLAN_002))
    app.import_plan(parsed, unit_name=UNIT)
    app.record_update("2", "hoan_thanh", on=date(2026, 3, 10), milestone="Ban hành kế hoạch",
                      product="Kế hoạch số 5/KH-UBND", unit=UNIT)
    original = parsed.items[1].deadline
    parsed.items[1].deadline = original.split(". Thực hiện")[0].split("Thực hiện")[0].strip(" .;")
    assert "Thực hiện" not in parsed.items[1].deadline
    report = app.import_plan(parsed, unit_name=UNIT)
    assert set(report.changes[0].retired) == {"Thực hiện"}
    parsed.items[1].deadline = original
    again = app.import_plan(parsed, unit_name=UNIT)
    assert set(again.changes[0].restored) == {"Thực hiện"}
    assert rows_of(app, "2", date(2026, 6, 30))[("Ban hành kế hoạch", date(2026, 3, 31))][0].startswith("hoan_thanh")


def test_another_file_format_or_a_deleted_row_reports_only_what_changed(app, tmp_path):
    parsed = parse_plan_file(seed_path(PLAN_002))
    app.import_plan(parsed, unit_name=UNIT)
    for writer, name in ((write_docx, "p.docx"), (write_xlsx, "p.xlsx")):
        report = app.import_plan(parse_plan_file(writer(parsed, tmp_path / name)), unit_name=UNIT)
        assert (report.items_updated, report.items_removed, report.changes) == (0, 0, []), name
    shorter = copy.deepcopy(parsed)
    gone = shorter.items.pop(5)
    shorter.items[9].content += " Bổ sung."
    report = app.import_plan(parse_plan_file(write_xlsx(shorter, tmp_path / "s.xlsx")), unit_name=UNIT)
    assert report.removed == [gone.number] and [c.number for c in report.changes] == [shorter.items[9].number]
    back = app.import_plan(parsed, unit_name=UNIT)
    assert back.items_restored == [gone.number]


# -- the property: random edits never lose a recorded status or extension ----------------------------

EDITS = st.lists(
    st.tuples(st.sampled_from(["reword", "content", "date", "move", "delete", "restore", "docx", "xlsx"]),
              st.integers(0, 30), st.integers(0, 30)),
    min_size=1, max_size=5)
NEW_DEADLINES = ["Quý II/2027", "Tháng 9/2026", "Năm 2028", "Hằng năm", "Quý IV hằng năm"]
_units = itertools.count(1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_random_edits_keep_every_record_and_report_the_edits(sqlite_app, tmp_path, edits):
    app, unit = sqlite_app, f"Xã Thử {next(_units)}"
    base = parse_plan_file(seed_path(PLAN_002))
    app.import_plan(base, unit_name=unit)
    with read_session(app.engine) as s:
        plan_id = s.scalar(select(Plan.id).join(Unit).where(Unit.name == unit))
        targets = s.execute(select(Item.number, Occurrence.nominal_due).join(Occurrence, Occurrence.item_id == Item.id)
                            .where(Item.plan_id == plan_id).order_by(Item.position, Occurrence.nominal_due)).all()
    firsts = {}
    for number, due in targets:
        firsts.setdefault(number, due)
    for n, (number, due) in enumerate(firsts.items()):
        app.record_update(number, "dang_thuc_hien", on=date(2026, 1, 5), due=due, unit=unit, note=f"báo cáo {n}")
        if n % 3 == 0:
            app.extend(number, date(2031, 1, 31), by="Chủ tịch UBND xã", on=date(2026, 1, 6), due=due, unit=unit)

    def records():
        with read_session(app.engine) as s:
            items = select(Item.id).where(Item.plan_id == plan_id)
            updates = s.execute(select(StatusUpdate.id, StatusUpdate.occurrence_id)
                                .where(StatusUpdate.item_id.in_(items))).all()
            extensions = s.scalars(select(Extension.id).join(Occurrence).where(Occurrence.item_id.in_(items))).all()
            return {u for u, _ in updates}, {o for _, o in updates}, set(extensions)

    updates, occurrences, extensions = records()
    current, removed = copy.deepcopy(base), []
    for step, (kind, i, j) in enumerate(edits):
        edited, deleted, restored = set(), [], []
        items = current.items
        item = items[i % len(items)]
        if kind == "reword" and " - " in item.deadline:
            item.deadline = item.deadline.replace(" - ", "-")
            edited.add(item.number)
        elif kind == "content":
            item.content += f" (sửa {step})"
            edited.add(item.number)
        elif kind == "date":
            new = NEW_DEADLINES[j % len(NEW_DEADLINES)]
            if new != item.deadline:
                item.deadline = new
                edited.add(item.number)
        elif kind == "move":
            a, b = i % len(items), j % len(items)
            items[a], items[b] = items[b], items[a]
        elif kind == "delete" and len(items) > 1:
            deleted.append(items.pop(i % len(items)).number)
            removed.extend(deleted)
        elif kind == "restore" and removed:
            back = removed.pop(0)
            items.append(copy.deepcopy(next(x for x in base.items if x.number == back)))
            restored.append(back)
        source = current
        if kind in ("docx", "xlsx"):
            writer = write_docx if kind == "docx" else write_xlsx
            source = parse_plan_file(writer(current, tmp_path / f"{unit}-{step}.{kind}"))
        report = app.import_plan(source, unit_name=unit, title=base.title)
        assert {c.number for c in report.changes} == edited | set(restored), (kind, report.change_lines())
        assert report.removed == deleted and report.items_restored == restored
        now_updates, now_occurrences, now_extensions = records()
        assert now_updates == updates and now_extensions == extensions
        assert None not in now_occurrences and now_occurrences == occurrences


def test_an_edit_that_drops_due_dates_and_its_revert_bring_every_report_back(app):
    parsed = parse_plan_file(seed_path(PLAN_001))
    item = next(i for i in parsed.items if i.number == "43")
    item.deadline = "Quý II hằng năm"
    app.import_plan(parsed, unit_name="Xã Ngọc Liên")
    for year in (2026, 2027, 2028):
        app.record_update("43", "dang_thuc_hien", on=date(year, 6, 1), due=date(year, 6, 30), unit="Xã Ngọc Liên",
                          note=f"Quý II/{year}")
    with read_session(app.engine) as s:
        before = dict(s.execute(select(StatusUpdate.note, StatusUpdate.occurrence_id)).all())
    item.deadline = "Năm 2027"
    report = app.import_plan(parsed, unit_name="Xã Ngọc Liên")
    assert [c.what for c in report.changes] == [("thời hạn",)]
    item.deadline = "Quý II hằng năm"
    app.import_plan(parsed, unit_name="Xã Ngọc Liên")
    with read_session(app.engine) as s:
        after = dict(s.execute(select(StatusUpdate.note, StatusUpdate.occurrence_id)).all())
        assert after == before
        dues = {s.get(Occurrence, o).nominal_due: s.get(Occurrence, o).milestone.active for o in after.values()}
        assert dues == {date(y, 6, 30): True for y in (2026, 2027, 2028)}

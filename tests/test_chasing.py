"""Chasing: reminders and escalations by the policy, exactly once, walked day by day through 2026."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conftest import PLAN_001, build_app, seed_path
from dondoc.domain.chasing import OpenDue, actions_for, checkpoint_days
from dondoc.settings import get_settings
from dondoc.storage.db import read_session
from dondoc.storage.delivery_log import ChaseEntry, Delivery
from dondoc.storage.models import Item, ItemOffice, Office

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D = date

PEOPLE = """
people:
  - {id: chu-tich, name: Nguyễn Văn An, role: Chủ tịch UBND xã, tags: [chu-tich, leadership]}
  - {id: pct-1, name: Lê Thị Bình, role: Phó Chủ tịch UBND xã, tags: [leadership], areas: [I, II, III]}
  - {id: pct-2, name: Hoàng Văn Cảnh, role: Phó Chủ tịch UBND xã, tags: [leadership], areas: [IV, V, VI]}
"""


@pytest.fixture
def setup(engine, tmp_path, monkeypatch):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_dir))
    get_settings.cache_clear()
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return app, app.policy, app.calendar


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def due(deadline: date, leads=("Phòng Kinh tế",), area="V") -> OpenDue:
    return OpenDue(1, 1, 1, "p", "49", "Nội dung", area, None, deadline, deadline, tuple(leads), ())


def test_checkpoint_days_are_working_days_around_the_deadline(setup):
    _, policy, cal = setup
    assert [d.isoformat() for d in checkpoint_days(D(2026, 6, 30), policy, cal)] == [
        "2026-06-16", "2026-06-25", "2026-06-29", "2026-06-30",  # reminders 10, 3, 1, 0 working days before
        "2026-07-01",  # level 1 (after 1)
        "2026-07-06",  # level 1, repeat 1 (every 3)
        "2026-07-07",  # level 2 (after 5)
        "2026-07-09",  # level 1, repeat 2
        "2026-07-14",  # level 2 repeat 1, and level 3 (after 10)
        "2026-07-21",  # level 2, repeat 2
        "2026-07-28", "2026-08-11",  # level 3 repeats (every 10)
        "2026-08-24",  # level 3, repeat 3: Saturday 22/08 is worked (swap for Monday 31/08)
    ]


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 6, 15), []),
        (D(2026, 6, 16), [("reminder", 0, 10, "office:Phòng Kinh tế")]),
        (D(2026, 6, 22), [("reminder", 0, 10, "office:Phòng Kinh tế")]),  # still the 10-day stage
        (D(2026, 6, 30), [("reminder", 0, 0, "office:Phòng Kinh tế")]),
        (D(2026, 7, 1), [("escalation", 1, 0, "office:Phòng Kinh tế")]),
        (D(2026, 7, 7), [("escalation", 1, 1, "office:Phòng Kinh tế"), ("escalation", 2, 0, "area:V")]),
        (D(2026, 7, 14), [("escalation", 1, 2, "office:Phòng Kinh tế"), ("escalation", 2, 1, "area:V"),
                          ("escalation", 3, 0, "tag:chu-tich")]),
        (D(2026, 12, 1), [("escalation", 1, 2, "office:Phòng Kinh tế"), ("escalation", 2, 2, "area:V"),
                          ("escalation", 3, 3, "tag:chu-tich"),  # repeats capped,
                          ("overdue", 0, 13, "office:Phòng Kinh tế")]),  # then weekly to the lead office
    ],
)
def test_actions_for_a_day(setup, day, expected):
    _, policy, cal = setup
    got = [(a.purpose, a.level, a.stage, a.recipient) for a in actions_for(due(D(2026, 6, 30)), day, policy, cal)]
    assert got == expected


def test_acknowledged_due_date_is_not_escalated(setup):
    _, policy, cal = setup
    acked = OpenDue(1, 1, 1, "p", "49", "x", "V", None, D(2026, 6, 30), D(2026, 6, 30), ("Phòng Kinh tế",), (), True)
    assert actions_for(acked, D(2026, 7, 14), policy, cal) == []


def _walk(app, start: date, end: date, events: dict[date, list]):
    """Every day: the morning run over all items, the afternoon digest; events happen first."""
    day = start
    while day <= end:
        for event in events.get(day, []):
            event()
        app.chase(at(day))
        app.send_progress_requests(at(day))
        app.nudge_awaiting(at(day))
        app.send_digest(at(day, 16))
        day += timedelta(days=1)


def _entries(app, number: str | None = None) -> list[tuple]:
    with read_session(app.engine) as s:
        query = select(ChaseEntry.purpose, ChaseEntry.level, ChaseEntry.stage, ChaseEntry.recipient,
                       ChaseEntry.as_of, ChaseEntry.state)
        if number is not None:
            query = query.join(Item, Item.id == ChaseEntry.item_id).where(Item.number == number)
        return sorted(tuple(r) for r in s.execute(query))


def test_cooperating_offices_get_their_own_reminders_but_no_escalation(setup):
    _, policy, cal = setup
    both = OpenDue(1, 1, 1, "p", "49", "Nội dung", "V", None, D(2026, 6, 30), D(2026, 6, 30),
                   ("Phòng Kinh tế",), ("Công an xã", "Phòng Kinh tế"))
    reminders = [(a.purpose, a.recipient) for a in actions_for(both, D(2026, 6, 16), policy, cal)]
    assert reminders == [("reminder", "office:Phòng Kinh tế"), ("reminder", "office:Công an xã")]  # a lead once
    late = {a.recipient for a in actions_for(both, D(2026, 7, 1), policy, cal)}
    assert late == {"office:Phòng Kinh tế"}  # escalation reaches the lead office only


def _cooperating(app, number: str) -> list[str]:
    with read_session(app.engine) as s:
        return [f"office:{name}" for name in s.scalars(
            select(Office.name).join(ItemOffice).join(Item, Item.id == ItemOffice.item_id)
            .where(Item.number == number, ItemOffice.role == "coop"))]


def test_walk_through_2026_sends_exactly_the_policy_once(setup):
    app, policy, cal = setup
    kt = "office:Phòng Kinh tế"
    vhxh = "office:Phòng Văn hóa - Xã hội"
    events = {
        # 43 "Quý I/2026" (Phòng Kinh tế): done on time, after its 10-day reminder.
        D(2026, 3, 20): [lambda: app.record_update("43", "hoan_thanh", on=D(2026, 3, 20), product="Kế hoạch số 12/KH-UBND")],
        # 37 "chậm nhất tháng 01/2026" (due Sat 31/01 -> Mon 02/02): done late, on 10/02.
        D(2026, 2, 10): [lambda: app.record_update("37", "hoan_thanh", on=D(2026, 2, 10), milestone="Ban hành kế hoạch",
                                                   product="Kế hoạch số 5/KH-UBND")],
        # 49 "Quý II/2026" (Phòng VH-XH): never done; acknowledged by the Chủ tịch on 22/07.
        D(2026, 7, 22): [lambda: app.acknowledge("49", by="Chủ tịch UBND xã", on=D(2026, 7, 22))],
        # 45 "Năm 2026": extended on 20/12 to 31/03/2027, so no escalation in 2026.
        D(2026, 12, 20): [lambda: app.extend("45", D(2027, 3, 31), by="Chủ tịch UBND xã", on=D(2026, 12, 20))],
    }
    _walk(app, D(2026, 1, 1), D(2026, 12, 31), events)

    # Reminders go to the lead office and, each with its own copy, to every cooperating office.
    coop_43, coop_49 = _cooperating(app, "43"), _cooperating(app, "49")
    assert coop_43 and coop_49
    assert _entries(app, "43") == sorted(("reminder", 0, 10, o, D(2026, 3, 17), "sent") for o in [kt, *coop_43])
    assert _entries(app, "49") == sorted([
        *[("reminder", 0, stage, o, day, "sent") for o in [vhxh, *coop_49]
          for stage, day in ((10, D(2026, 6, 16)), (3, D(2026, 6, 25)), (1, D(2026, 6, 29)), (0, D(2026, 6, 30)))],
        ("escalation", 1, 0, vhxh, D(2026, 7, 1), "sent"),
        ("escalation", 1, 1, vhxh, D(2026, 7, 6), "sent"),
        ("escalation", 1, 2, vhxh, D(2026, 7, 9), "sent"),
        ("escalation", 2, 0, "area:VI", D(2026, 7, 7), "digested"),
        ("escalation", 2, 1, "area:VI", D(2026, 7, 14), "digested"),
        ("escalation", 2, 2, "area:VI", D(2026, 7, 21), "digested"),
        ("escalation", 3, 0, "tag:chu-tich", D(2026, 7, 14), "digested"),
        # acknowledged on 22/07: the level-3 repeats of 28/07, 11/08 and 24/08 never fire
    ])
    thirty_seven = _entries(app, "37")
    milestone_keys = Counter((p, lv, st, d) for p, lv, st, _r, d, _s in thirty_seven)
    offices = {r for *_x, r, _d, _s in thirty_seven if r.startswith("office:")}
    assert len(offices) == 6  # led by the group phrase: every office of the unit
    assert set(milestone_keys) >= {
        ("reminder", 0, 10, D(2026, 1, 19)), ("reminder", 0, 3, D(2026, 1, 28)), ("reminder", 0, 1, D(2026, 1, 30)),
        ("reminder", 0, 0, D(2026, 2, 2)), ("escalation", 1, 0, D(2026, 2, 3)), ("escalation", 1, 1, D(2026, 2, 6)),
        ("escalation", 2, 0, D(2026, 2, 9)),
    }
    assert all(d <= D(2026, 2, 9) for *_x, d, _s in thirty_seven if _x[0] == "escalation")  # done 10/02: stops
    assert [e for e in _entries(app, "45") if e[0] == "escalation"] == []

    everything = _entries(app)
    assert {s for *_x, s in everything} <= {"sent", "digested"}
    digests = [e for e in everything if e[0] == "digest"]
    # one digest per leader per day, whatever areas and tags they hold (area VI: pct-2)
    assert ("digest", 0, 0, "person:pct-2", D(2026, 7, 7), "sent") in digests
    assert len({(r, d) for _p, _l, _s, r, d, _st in digests}) == len(digests)

    progress = [e for e in everything if e[0] == "progress"]
    with read_session(app.engine) as s:
        leads = set(s.scalars(select(Office.name).join(ItemOffice).where(ItemOffice.role == "lead")))
    asked = {D(2026, 2, 23), D(2026, 5, 26), D(2026, 8, 24), D(2026, 11, 25)}  # 5 working days before 02/03, 02/06, 03/09, 02/12
    assert {d for *_x, d, _s in progress} == asked
    assert len(progress) == 4 * len(leads)  # one request per lead office per period
    assert {r for *_x, r, _d, _s in progress} == {f"office:{o}" for o in leads}
    nudges = [e for e in everything if e[0] == "nudge"]
    first_working_days = [D(2026, 1, 5), D(2026, 2, 2), D(2026, 3, 2), D(2026, 4, 1), D(2026, 5, 4), D(2026, 6, 1),
                          D(2026, 7, 1), D(2026, 8, 3), D(2026, 9, 3), D(2026, 10, 1), D(2026, 11, 2), D(2026, 12, 1)]
    assert [d for *_x, d, _s in nudges] == first_working_days
    assert {r for *_x, r, _d, _s in nudges} == {"office:Phòng Văn hóa - Xã hội"}
    outbox = list((get_settings().home_path / "outbox").glob("*.json"))
    digest_files = [f.read_text(encoding="utf-8") for f in outbox if '"kind": "digest"' in f.read_text(encoding="utf-8")]
    assert any("Hoàng Văn Cảnh" in text for text in digest_files)  # area VI's Phó Chủ tịch, by name

    # The same walk again sends nothing new.
    with read_session(app.engine) as s:
        deliveries = len(s.scalars(select(Delivery.id)).all())
    _walk(app, D(2026, 1, 1), D(2026, 12, 31), {})
    assert _entries(app) == everything
    with read_session(app.engine) as s:
        assert len(s.scalars(select(Delivery.id)).all()) == deliveries


def test_quiet_hours_and_days_off_defer(setup):
    app, policy, cal = setup
    night = app.chase(at(D(2026, 3, 17), 22))
    assert night.sent == 0 and night.deferred > 0
    assert night.deferred_until == at(D(2026, 3, 18), 8)
    sunday = app.chase(at(D(2026, 3, 15), 9))
    assert sunday.sent == 0 and sunday.deferred_until == at(D(2026, 3, 16), 8)
    morning = app.chase(at(D(2026, 3, 18), 8))
    assert morning.sent == night.deferred


def test_ack_command(setup, db_url):
    from typer.testing import CliRunner

    from dondoc.cli import app

    runner = CliRunner()
    early = runner.invoke(app, ["ack", "49", "--by", "Chủ tịch UBND xã", "--date", "2026-06-01"])
    assert early.exit_code == 2 and "không có hạn nào đang quá hạn" in early.output
    ok = runner.invoke(app, ["ack", "49", "--by", "Chủ tịch UBND xã", "--date", "2026-07-10"])
    assert ok.exit_code == 0, ok.output
    assert "30/06/2026" in ok.output

"""Calendar feeds: due dates as the deadline engine gives them, SEQUENCE on change, the HTTP route."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
import recurring_ical_events
from conftest import PLAN_001, PLAN_002, build_app, seed_path
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from typer.testing import CliRunner

from calendars.ical import (
    DONE_PREFIX,
    OVERDUE_PREFIX,
    FeedEvent,
    FeedInfo,
    IncompleteFeedEvent,
    Lead,
    Listed,
    alarm_leads,
    alarm_offsets,
    build_calendar,
    event_uid,
    report_uid,
)
from dondoc.domain.periods import progress_deadlines
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.feedstate import sync_state
from dondoc.storage.models import (
    CalendarEvent,
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    Plan,
    Unit,
)
from dondoc.storage.statusrun import run_status
from dondoc.usecases import feeds
from dondoc.usecases.feedcache import FeedCache

AS_OF = date(2026, 4, 15)
NGOC_LIEN, TRUONG_XUAN = "Xã Ngọc Liên", "Xã Trường Xuân"


# ------------------------------------------------------------------ helpers


@pytest.fixture
def plans(engine):
    app = build_app()
    for name, unit in ((PLAN_001, NGOC_LIEN), (PLAN_002, TRUONG_XUAN)):
        app.import_file(seed_path(name), unit_name=unit)
    return engine


def options(day: date = AS_OF) -> feeds.FeedOptions:
    return feeds.options_from(build_app(), day)


def unit_id(engine, name: str) -> int:
    with read_session(engine) as session:
        return session.scalar(select(Unit.id).where(Unit.name == name))


def office_id(engine, unit: str, name: str) -> int:
    with read_session(engine) as session:
        return session.scalar(select(Office.id).join(Unit).where(Unit.name == unit, Office.name == name))


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def vevents(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in parse(body).walk("VEVENT")}


def expanded(body: bytes, first: int, last: int) -> list[tuple[str, date]]:
    found = recurring_ical_events.of(parse(body)).between(date(first, 1, 1), date(last + 1, 1, 1))
    return [(str(e["UID"]), e.start) for e in found]


def item_of(engine, unit: str, number: str) -> tuple[int, str]:
    with read_session(engine) as session:
        item = session.scalar(select(Item).join(Plan).join(Unit).where(Unit.name == unit, Item.number == number))
        return item.id, f"{item.plan.code}#{number}"


def engine_dates(engine, scope: feeds.Scope, continuous: bool = True) -> set[tuple[str, date]]:
    """What the feed must hold: every due date of the Occurrence table, and one event per reporting
    checkpoint at which at least one of the feed's continuous items reports."""
    calendar, raw = options().calendar, options().reporting
    with read_session(engine) as session:
        items = select(Item.id).join(Plan).where(Item.removed_at.is_(None))
        if scope.leadership:
            items = items.where(Plan.unit_id == scope.unit_id)
        else:
            items = items.where(Item.id.in_(select(ItemOffice.item_id).where(ItemOffice.office_id == scope.office_id)))
        ids = set(session.scalars(items))
        wanted = {
            (event_uid(o.item_id, o.milestone_id, o.nominal_due), o.extended_due or o.effective_due)
            for o in session.scalars(select(Occurrence).join(Milestone).where(Milestone.active.is_(True)))
            if o.item_id in ids
        }
        owner = f"u{scope.unit_id}" if scope.leadership else f"o{scope.office_id}"
        for m in session.scalars(select(Milestone).where(Milestone.active.is_(True), Milestone.kind == "continuous")):
            if m.item_id not in ids or not continuous:
                continue
            plan = m.item.plan
            for year in range(plan.period_start, plan.period_end + 1):
                for deadline in progress_deadlines(year, calendar, raw):
                    if m.start_date is None or deadline.send_by >= m.start_date:
                        wanted.add((report_uid(owner, deadline.period), deadline.send_by))
    return wanted


def continuous_items(engine, scope: feeds.Scope, send_by: date) -> set[str]:
    """The numbers of the scope's continuous items that report at the checkpoint of ``send_by``."""
    with read_session(engine) as session:
        query = (select(Item.number, Milestone.start_date).join(Milestone, Milestone.item_id == Item.id).join(Plan)
                 .where(Milestone.active.is_(True), Milestone.kind == "continuous", Item.removed_at.is_(None)))
        if scope.leadership:
            query = query.where(Plan.unit_id == scope.unit_id)
        else:
            query = query.where(Item.id.in_(select(ItemOffice.item_id).where(ItemOffice.office_id == scope.office_id)))
        return {n for n, start in session.execute(query) if start is None or send_by >= start}


def all_scopes(engine) -> list[feeds.Scope]:
    with read_session(engine) as session:
        scopes = []
        for unit in session.scalars(select(Unit).order_by(Unit.id)):
            scopes.append(feeds.Scope(unit.id))
            scopes.extend(feeds.Scope(unit.id, o.id) for o in sorted(unit.offices, key=lambda o: o.id))
        return scopes


# ------------------------------------------------------------------ pure builder


@pytest.mark.parametrize(
    ("deadline", "lead_times", "expected"),
    [
        (date(2026, 3, 31), [10, 3, 1, 0], (14, 5, 1, 0)),  # Tuesday, no holiday near
        (date(2026, 5, 4), [10, 3, 1, 0], (19, 10, 5, 0)),  # after 27/04 (Giỗ Tổ, observed), 30/04 and 01/05
        (date(2026, 2, 2), [1, 0, 1], (3, 0)),  # Monday: one working day before is Friday
    ],
)
def test_alarm_offsets_in_calendar_days(deadline, lead_times, expected):
    assert alarm_offsets(deadline, lead_times, options().calendar) == expected
    leads = alarm_leads(deadline, lead_times, options().calendar)
    assert tuple(lead.days for lead in leads) == expected
    assert [lead.working_days for lead in leads] == sorted(set(lead_times), reverse=True)


def test_builder_escapes_text_and_folds_lines():
    from datetime import datetime, timezone

    content = 'Rà soát, "hoàn thiện"; văn bản\\QPPL\nDòng hai\x0bhết\x00'
    event = FeedEvent(uid=event_uid(1, 2, date(2026, 6, 30)), day=date(2026, 6, 30), item="7", content=content,
                      status="trong hạn", sequence=3, modified=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
                      lead=("Phòng Kinh tế; Tổ công tác", "Văn phòng HĐND, UBND"), alarms=(Lead(3, 1), Lead(0, 0)))
    body = build_calendar([event], FeedInfo(name="Lịch, thử; \\ nghiệm"))
    assert body.endswith(b"\r\n") and all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"\x0b" not in body and b"\x00" not in body
    cal = parse(body)
    assert str(cal["X-WR-CALNAME"]) == "Lịch, thử; \\ nghiệm"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == 'Mục 7: Rà soát, "hoàn thiện"; văn bản\\QPPL Dòng hai hết'
    assert 'Mục 7: Rà soát, "hoàn thiện"; văn bản\\QPPL\nDòng hai hết' in str(vevent["DESCRIPTION"])
    assert "Chủ trì: Phòng Kinh tế; Tổ công tác; Văn phòng HĐND, UBND" in str(vevent["DESCRIPTION"])
    assert vevent["SEQUENCE"] == 3 and vevent.start == date(2026, 6, 30)
    assert [a["TRIGGER"].dt for a in vevent.walk("VALARM")] == [timedelta(days=-3, hours=8), timedelta(hours=8)]
    assert [str(a["DESCRIPTION"]) for a in vevent.walk("VALARM")] == [
        "Nhắc việc: Mục 7 còn 1 ngày làm việc đến hạn (30/06/2026)", "Nhắc việc: Mục 7 đến hạn hôm nay (30/06/2026)"]
    assert str(cal["REFRESH-INTERVAL"].to_ical(), "ascii") == "PT1H" and str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]


def test_builder_lists_the_items_of_a_reporting_checkpoint():
    from datetime import timezone

    items = (Listed("Mục 3", "Rà soát TTHC " * 30), Listed("Mục 12", "Công khai TTHC", "phối hợp"))
    event = FeedEvent(uid=report_uid("o4", "2026-Q1"), day=date(2026, 3, 2), item="", content="",
                      status="thường xuyên", sequence=0, modified=datetime(2026, 1, 2, tzinfo=timezone.utc),
                      checkpoint="Quý I năm 2026", listed=items, alarms=(Lead(7, 5), Lead(0, 0)),
                      link="https://dondoc.example.vn/o/abc")
    [vevent] = parse(build_calendar([event], FeedInfo(name="Lịch"))).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Báo cáo định kỳ Quý I năm 2026 – 2 nhiệm vụ thường xuyên"
    lines = str(vevent["DESCRIPTION"]).split("\n")
    assert lines[0] == "Kỳ báo cáo: Quý I năm 2026, hạn gửi báo cáo: 02/03/2026"
    assert lines[2].startswith("Mục 3: Rà soát TTHC") and lines[2].endswith("…") and len(lines[2]) < 170
    assert lines[3] == "Mục 12: Công khai TTHC (phối hợp)"
    assert lines[-1] == "Báo cáo kết quả: https://dondoc.example.vn/o/abc"
    assert str(vevent.walk("VALARM")[0]["DESCRIPTION"]).endswith("hạn gửi 02/03/2026 (còn 5 ngày làm việc)")


def test_builder_refuses_a_naive_modification_time():
    from datetime import datetime

    event = FeedEvent(uid="u@x", day=date(2026, 1, 5), item="1", content="x", status="trong hạn", sequence=0,
                      modified=datetime(2026, 1, 1))
    with pytest.raises(IncompleteFeedEvent, match="aware datetime"):
        build_calendar([event], FeedInfo(name="x"))


def test_cache_builds_once_per_version_and_expires():
    now = [0.0]
    cache = FeedCache(max_entries=2, max_age=60, version_ttl=0, clock=lambda: now[0])
    built = []

    def build(tag):
        built.append(tag)
        return tag

    assert cache.get(1, ("v1",), lambda: build("a")) == "a"
    assert cache.get(1, ("v1",), lambda: build("b")) == "a"
    assert cache.get(1, ("v2",), lambda: build("c")) == "c"
    now[0] = 61.0
    assert cache.get(1, ("v2",), lambda: build("d")) == "d"
    cache.get(2, ("v",), lambda: build("e"))
    cache.get(3, ("v",), lambda: build("f"))
    assert cache.get(1, ("v2",), lambda: build("g")) == "g"  # evicted: least recently used
    assert built == ["a", "c", "d", "e", "f", "g"]


# ------------------------------------------------------------------ feeds from the database


def test_every_feed_expands_to_the_engine_due_dates(plans):
    opts = options()
    for scope in all_scopes(plans):
        feed = feeds.build_feed(plans, scope, opts)
        found = expanded(feed.body, 2026, 2030)
        wanted = engine_dates(plans, scope)
        assert len(found) == len(set(found)) == feed.events, scope
        assert set(found) == wanted, scope
    report = run_status(plans, AS_OF, opts.calendar, unit_ids=[unit_id(plans, NGOC_LIEN)])
    lead = {(uid.split("-")[2], day) for uid, day in expanded(
        feeds.build_feed(plans, feeds.Scope(unit_id(plans, NGOC_LIEN)), opts).body, 2026, 2030)}
    for row in report.rows:
        if row.effective_due is not None:
            assert (str(row.milestone_id), row.extended_due or row.effective_due) in lead


def test_office_feed_holds_items_it_leads_or_cooperates_on_with_alarms(plans):
    unit = unit_id(plans, NGOC_LIEN)
    economy = office_id(plans, NGOC_LIEN, "Phòng Kinh tế")
    body = feeds.build_feed(plans, feeds.Scope(unit, economy), options()).body
    events = vevents(body)
    item_43, _ = item_of(plans, NGOC_LIEN, "43")  # Quý I/2026, Phòng Kinh tế leads
    item_49, _ = item_of(plans, NGOC_LIEN, "49")  # Quý II/2026, Phòng Văn hóa - Xã hội leads, every office cooperates
    other, _ = item_of(plans, TRUONG_XUAN, "1")
    [uid_43] = [u for u in events if u.startswith(f"dondoc-{item_43}-")]
    [uid_49] = [u for u in events if u.startswith(f"dondoc-{item_49}-")]
    assert not any(u.startswith(f"dondoc-{other}-") for u in events)
    assert "Phối hợp: " in str(events[uid_49]["DESCRIPTION"]) and "Phòng Kinh tế" in str(events[uid_49]["DESCRIPTION"])
    vevent = events[uid_43]
    assert vevent.start == date(2026, 3, 31)
    assert str(vevent["SUMMARY"]).startswith(OVERDUE_PREFIX) and "Quá hạn" in vevent.categories
    assert [a["TRIGGER"].dt for a in vevent.walk("VALARM")] == [
        timedelta(days=-14, hours=8), timedelta(days=-5, hours=8), timedelta(days=-1, hours=8), timedelta(hours=8)]
    description = str(vevent["DESCRIPTION"])
    assert "Chủ trì: Phòng Kinh tế" in description and "Trạng thái: quá hạn" in description
    with read_session(plans) as session:
        token = links.active_link(session, links.OFFICE, unit, economy).token
    assert f"/o/{token}/items/{item_43}" in description and str(vevent["URL"]).endswith(f"/o/{token}/items/{item_43}")
    leadership = vevents(feeds.build_feed(plans, feeds.Scope(unit), options()).body)
    # the leadership's calendar reminds as the office's does, and says the same
    assert [(a["TRIGGER"].dt, str(a["DESCRIPTION"])) for a in leadership[uid_43].walk("VALARM")] == [
        (a["TRIGGER"].dt, str(a["DESCRIPTION"])) for a in vevent.walk("VALARM")]
    assert [str(a["DESCRIPTION"]) for a in vevent.walk("VALARM")] == [
        "Nhắc việc: Mục 43 còn 10 ngày làm việc đến hạn (31/03/2026)",
        "Nhắc việc: Mục 43 còn 3 ngày làm việc đến hạn (31/03/2026)",
        "Nhắc việc: Mục 43 còn 1 ngày làm việc đến hạn (31/03/2026)",
        "Nhắc việc: Mục 43 đến hạn hôm nay (31/03/2026)"]
    assert "/l/" in str(leadership[uid_43]["URL"])


def test_status_change_and_extension_keep_uids_and_raise_sequence(plans):
    unit = unit_id(plans, NGOC_LIEN)
    economy = office_id(plans, NGOC_LIEN, "Phòng Kinh tế")
    scope, office_scope = feeds.Scope(unit), feeds.Scope(unit, economy)
    first = feeds.build_feed(plans, scope, options())
    assert feeds.build_feed(plans, scope, options()).body == first.body  # nothing changed, nothing bumped
    before = vevents(first.body)
    assert {e["SEQUENCE"] for e in before.values()} == {0}

    item_43, ref_43 = item_of(plans, NGOC_LIEN, "43")
    build_app().record_update(ref_43, "hoan_thanh", on=date(2026, 3, 20), product="Kế hoạch số 12/KH-UBND")
    after = vevents(feeds.build_feed(plans, scope, options()).body)
    assert set(after) == set(before)
    [uid] = [u for u in after if u.startswith(f"dondoc-{item_43}-")]
    assert after[uid]["SEQUENCE"] == 1 and str(after[uid]["SUMMARY"]).startswith(DONE_PREFIX)
    assert "Đã hoàn thành" in after[uid].categories and "hoàn thành đúng hạn" in after[uid].categories
    assert "Sản phẩm: Kế hoạch số 12/KH-UBND" in str(after[uid]["DESCRIPTION"])
    assert after[uid]["LAST-MODIFIED"].dt >= before[uid]["LAST-MODIFIED"].dt
    assert {u for u in after if after[u]["SEQUENCE"] != before[u]["SEQUENCE"]} == {uid}
    office = vevents(feeds.build_feed(plans, office_scope, options()).body)
    assert office[uid]["SEQUENCE"] == 1 and office[uid].walk("VALARM") == []  # done: no reminders

    item_49, ref_49 = item_of(plans, NGOC_LIEN, "49")
    [uid_49] = [u for u in after if u.startswith(f"dondoc-{item_49}-")]
    assert after[uid_49].start == date(2026, 6, 30)
    build_app().extend(ref_49, date(2026, 8, 31), by="Chủ tịch UBND", on=AS_OF)
    extended = vevents(feeds.build_feed(plans, scope, options()).body)
    assert set(extended) == set(before)
    assert extended[uid_49].start == date(2026, 8, 31) and extended[uid_49]["SEQUENCE"] == 1
    assert "Hạn ban đầu: 30/06/2026 (đã gia hạn)" in str(extended[uid_49]["DESCRIPTION"])
    assert extended[uid]["SEQUENCE"] == 1
    # the office's feed shows the same stored state for the same event
    assert vevents(feeds.build_feed(plans, office_scope, options()).body)[uid]["SEQUENCE"] == 1


def test_event_items_appear_once_triggered(plans):
    unit = unit_id(plans, NGOC_LIEN)
    item_4, ref_4 = item_of(plans, NGOC_LIEN, "4")  # "Sau khi có văn bản của Tỉnh"
    scope = feeds.Scope(unit)
    assert not [u for u in vevents(feeds.build_feed(plans, scope, options()).body) if u.startswith(f"dondoc-{item_4}-")]
    build_app().trigger(ref_4, on=date(2026, 4, 10), due=date(2026, 5, 30), note="Văn bản số 5/UBND tỉnh")
    events = vevents(feeds.build_feed(plans, scope, options()).body)
    [uid] = [u for u in events if u.startswith(f"dondoc-{item_4}-")]
    assert events[uid].start == date(2026, 6, 1)  # 30/05/2026 is a Saturday
    assert "Hạn theo kế hoạch: 30/05/2026" in str(events[uid]["DESCRIPTION"])


def test_continuous_items_appear_at_reporting_checkpoints_only(plans):
    unit = unit_id(plans, NGOC_LIEN)
    scope = feeds.Scope(unit)
    item_23, _ = item_of(plans, NGOC_LIEN, "23")  # "Bắt đầu từ Quý I/2026", continuous
    body = feeds.build_feed(plans, scope, options()).body
    assert not [u for u in vevents(body) if u.startswith(f"dondoc-{item_23}-")]  # no event of its own
    reports = sorted(d for u, d in expanded(body, 2026, 2030) if u.startswith("dondoc-report-"))
    assert len(reports) == 20  # four reporting periods a year, 2026 to 2030
    assert reports[:4] == [date(2026, 3, 2), date(2026, 6, 2), date(2026, 9, 3), date(2026, 12, 2)]  # 02/09: holiday
    event = vevents(body)[report_uid(f"u{unit}", "2026-Q1")]
    listed = continuous_items(plans, scope, date(2026, 3, 2))
    assert "23" in listed
    assert str(event["SUMMARY"]) == f"Báo cáo định kỳ Quý I năm 2026 – {len(listed)} nhiệm vụ thường xuyên"
    lines = str(event["DESCRIPTION"]).split("\n")
    assert lines[0] == "Kỳ báo cáo: Quý I năm 2026, hạn gửi báo cáo: 02/03/2026"
    items = [line for line in lines if line.startswith("Mục ")]
    assert [line.split(":", 1)[0] for line in items] == [f"Mục {n}" for n in sorted(listed, key=int)]
    assert any(line.startswith("Mục 23: ") and "(chủ trì: " in line for line in items)
    assert "/l/" in str(event["URL"]) and "/items/" not in str(event["URL"])
    head = f"Nhắc việc: báo cáo định kỳ Quý I năm 2026 ({len(listed)} nhiệm vụ thường xuyên), hạn gửi 02/03/2026"
    assert [str(a["DESCRIPTION"]) for a in event.walk("VALARM")] == [
        f"{head} (còn 5 ngày làm việc)", f"{head} (hôm nay)"]
    assert [a["TRIGGER"].dt for a in event.walk("VALARM")] == [timedelta(days=-7, hours=8), timedelta(hours=8)]


def test_office_feed_of_a_five_year_plan_fits_a_phone(plans):
    """One event per checkpoint lists the office's continuous items; dated milestones keep one event each."""
    unit = unit_id(plans, NGOC_LIEN)
    office = office_id(plans, NGOC_LIEN, "Văn phòng HĐND và UBND xã")
    scope = feeds.Scope(unit, office)
    feed = feeds.build_feed(plans, scope, options())
    events = vevents(feed.body)
    assert 20 <= feed.events == len(events) <= 200
    reports = {u: e for u, e in events.items() if u.startswith("dondoc-report-")}
    assert len(reports) == 20
    per_day = defaultdict(int)
    for e in events.values():
        per_day[e.start] += 1
    # a checkpoint day holds its one report event (and whatever dated milestone falls on it), not one per item
    assert all(per_day[e.start] <= 2 for e in reports.values())
    assert max(per_day.values()) <= 20, max(per_day.values())  # 31/12: the dated "Hàng năm" items, one each
    q1 = reports[report_uid(f"o{office}", "2026-Q1")]
    listed = continuous_items(plans, scope, q1.start)
    assert len(listed) > 10 and str(q1["SUMMARY"]).endswith(f"– {len(listed)} nhiệm vụ thường xuyên")
    lines = [line for line in str(q1["DESCRIPTION"]).split("\n") if line.startswith("Mục ")]
    assert {line.split(":", 1)[0][4:] for line in lines} == listed
    assert any(line.endswith("(phối hợp)") for line in lines) and any("(phối hợp)" not in line for line in lines)
    assert "/o/" in str(q1["URL"])
    # the leadership's checkpoint is another event (another list), with a UID of its own
    leadership = vevents(feeds.build_feed(plans, feeds.Scope(unit), options()).body)
    assert report_uid(f"u{unit}", "2026-Q1") in leadership and not set(reports) & set(leadership)


def test_continuous_items_can_be_left_out(plans, tmp_path):
    from dondoc.cli import app

    unit = unit_id(plans, NGOC_LIEN)
    scope = feeds.Scope(unit, office_id(plans, NGOC_LIEN, "Văn phòng HĐND và UBND xã"))
    full = vevents(feeds.build_feed(plans, scope, options()).body)
    without = feeds.options_from(build_app(), AS_OF, continuous=False)
    dated = vevents(feeds.build_feed(plans, scope, without).body)
    assert set(dated) == {u for u in full if not u.startswith("dondoc-report-")} == {
        u for u, _ in engine_dates(plans, scope, continuous=False)}
    assert not any("Báo cáo định kỳ" in str(e["SUMMARY"]) for e in dated.values())

    out = tmp_path / "vp.ics"
    result = CliRunner().invoke(app, ["calendar", "Văn phòng HĐND và UBND xã", "--unit", NGOC_LIEN, "-o", str(out),
                                      "--as-of", "2026-04-15", "--no-continuous"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert set(vevents(out.read_bytes())) == set(dated)
    assert f"{len(dated)} sự kiện" in result.output and "?thuong_xuyen=0" in result.output
    assert "webcal://" in result.output


def test_no_plan_code_in_what_people_read(plans):
    with read_session(plans) as session:
        codes = set(session.scalars(select(Plan.code)))
    assert codes
    for scope in all_scopes(plans):
        cal = parse(feeds.build_feed(plans, scope, options()).body)
        for component in cal.walk():
            for prop in ("SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME", "X-WR-CALDESC", "NAME"):
                if prop in component:
                    text = str(component[prop])
                    assert not any(code in text for code in codes), (scope, prop, text)


def test_uids_are_unique_and_stable_across_rebuilds(plans, tmp_path):
    scopes = all_scopes(plans)
    first = {scope: [str(e["UID"]) for e in parse(feeds.build_feed(plans, scope, options()).body).walk("VEVENT")]
             for scope in scopes}
    for scope, uids in first.items():
        assert len(uids) == len(set(uids)), scope
    # another day, another status: the same UIDs
    _, ref_43 = item_of(plans, NGOC_LIEN, "43")
    build_app().record_update(ref_43, "hoan_thanh", on=date(2026, 3, 20), product="Kế hoạch số 12/KH-UBND")
    later = options(date(2026, 9, 1))
    for scope in scopes:
        assert [str(e["UID"]) for e in parse(feeds.build_feed(plans, scope, later).body).walk("VEVENT")] \
            == first[scope], scope
    # a checkpoint event of one feed never shares its UID with another feed's
    reports = [u for uids in first.values() for u in uids if u.startswith("dondoc-report-")]
    assert len(reports) == len(set(reports))


def _milestone(engine, item_id: int) -> int:
    with read_session(engine) as session:
        return session.scalar(select(Milestone.id).where(Milestone.item_id == item_id, Milestone.active.is_(True)))


def test_sequence_bumps_once_under_concurrent_requests(plans):
    wanted = {f"dondoc-race-{n}@dondoc": (None, "a" * 64) for n in range(20)}
    changed = {uid: (None, "b" * 64) for uid in wanted}
    for target in (wanted, changed):
        errors = []

        def run(target=target):
            try:
                sync_state(plans, target)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    with read_session(plans) as session:
        rows = session.execute(select(CalendarEvent.fingerprint, CalendarEvent.sequence)
                               .where(CalendarEvent.uid.like("dondoc-race-%"))).all()
    assert len(rows) == 20 and set(rows) == {("b" * 64, 1)}


# ------------------------------------------------------------------ HTTP route and CLI


def test_route_serves_feed_with_etag_and_404_after_rotation(plans):
    from dondoc.web.app import create_app

    unit = unit_id(plans, NGOC_LIEN)
    economy = office_id(plans, NGOC_LIEN, "Phòng Kinh tế")
    with unit_of_work(plans) as session:
        token = links.ensure_link(session, links.OFFICE_FEED, unit, economy).token
        page_token = links.ensure_link(session, links.OFFICE, unit, economy).token
        lead_token = links.ensure_link(session, links.LEADERSHIP_FEED, unit).token
    app = create_app(build_app(datetime.combine(AS_OF, time(8))))
    clock = [0.0]
    app.state.feed_cache = FeedCache(version_ttl=1.0, clock=lambda: clock[0])
    client = TestClient(app)
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = response.headers["etag"]
    assert response.headers["last-modified"].endswith("GMT")
    assert vevents(response.content) == vevents(feeds.build_feed(plans, feeds.Scope(unit, economy), options()).body)
    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": '"other"'}).status_code == 200
    assert response.headers["content-encoding"] == "gzip" and etag.endswith('-gz"')
    plain = client.get(f"/feeds/{token}.ics", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == response.content
    assert plain.headers["etag"] != etag and plain.headers["etag"][:-1] in etag
    assert client.get(f"/feeds/{token}.ics", headers={"Accept-Encoding": "identity",
                                                       "If-None-Match": plain.headers["etag"]}).status_code == 304
    assert client.get(f"/feeds/{lead_token}.ics").status_code == 200
    # the subscribable link: calendar content type, revalidated each time, refresh interval in the calendar
    assert response.headers["cache-control"] == "private, no-cache"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in plain.content and b"X-PUBLISHED-TTL:PT1H" in plain.content
    # ?thuong_xuyen=0: the dated milestones only, cached and tagged apart from the full feed
    dated = client.get(f"/feeds/{token}.ics?thuong_xuyen=0", headers={"Accept-Encoding": "identity"})
    assert dated.status_code == 200 and dated.headers["etag"] != plain.headers["etag"]
    assert set(vevents(dated.content)) == {u for u in vevents(plain.content) if not u.startswith("dondoc-report-")}
    assert any(u.startswith("dondoc-report-") for u in vevents(plain.content))
    assert client.get(f"/feeds/{token}.ics?thuong_xuyen=1").content == response.content
    bad = client.get(f"/feeds/{token}.ics?thuong_xuyen=abc")
    assert bad.status_code == 400 and "thuong_xuyen" in bad.text and "nhiệm vụ thường xuyên" in bad.text

    _, ref_43 = item_of(plans, NGOC_LIEN, "43")
    build_app().record_update(ref_43, "hoan_thanh", on=date(2026, 3, 20), product="Kế hoạch số 12/KH-UBND")
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304  # read a moment ago
    clock[0] += 1.5
    changed = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert DONE_PREFIX.encode() in changed.content

    with unit_of_work(plans) as session:
        new_token = links.rotate(session, links.OFFICE_FEED, unit, economy).token
    for bad in (token, page_token, "khong-ton-tai", "x" * 200):
        gone = client.get(f"/feeds/{bad}.ics")
        assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/plain")
    assert client.get(f"/feeds/{new_token}.ics").status_code == 200


def test_cli_writes_office_and_leadership_calendars(plans, tmp_path):
    from dondoc.cli import app

    runner = CliRunner()
    out = tmp_path / "kinh-te.ics"
    result = runner.invoke(app, ["calendar", "Phòng Kinh tế", "--unit", NGOC_LIEN, "-o", str(out),
                                 "--as-of", "2026-04-15"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "sự kiện" in result.output and "/feeds/" in result.output
    unit = unit_id(plans, NGOC_LIEN)
    scope = feeds.Scope(unit, office_id(plans, NGOC_LIEN, "Phòng Kinh tế"))
    assert set(expanded(out.read_bytes(), 2026, 2030)) == engine_dates(plans, scope)
    lead = tmp_path / "lanh-dao.ics"
    result = runner.invoke(app, ["calendar", "--leadership", "--unit", TRUONG_XUAN, "-o", str(lead)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert set(expanded(lead.read_bytes(), 2026, 2030)) == engine_dates(plans, feeds.Scope(unit_id(plans, TRUONG_XUAN)))
    for args in (["calendar", "Phòng Không Tồn Tại", "-o", str(tmp_path / "x.ics")],
                 ["calendar", "--leadership", "-o", str(tmp_path / "y.ics")],
                 ["calendar", "-o", str(tmp_path / "z.ics")]):
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 2 and "Lỗi" in result.output, (args, result.output)


def test_several_plans_of_a_unit_name_their_items_with_the_plan(engine):
    app = build_app()
    for name in (PLAN_001, PLAN_002):
        app.import_file(seed_path(name), unit_name=NGOC_LIEN)
    body = feeds.build_feed(engine, feeds.Scope(unit_id(engine, NGOC_LIEN)), options()).body
    events = parse(body).walk("VEVENT")
    assert len(events) == len({str(e["UID"]) for e in events})
    dated = [str(e["SUMMARY"]) for e in events if not str(e["UID"]).startswith("dondoc-report-")]
    assert dated and all("KH CCHC 2026–2030, mục " in s for s in dated)
    report = next(e for e in events if str(e["UID"]).startswith("dondoc-report-"))
    assert all(line.startswith("KH CCHC 2026–2030, mục ")
               for line in str(report["DESCRIPTION"]).split("\n")[2:] if not line.startswith("Báo cáo kết quả"))

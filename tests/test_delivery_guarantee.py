"""The delivery guarantee, against a real mail server (aiosmtpd) and a local server speaking Zalo's API:
every due message reaches each of its people once, or the standing office learns why."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conftest import PLAN_001, build_app, seed_path
from dondoc.settings import get_settings
from dondoc.storage.db import read_session
from dondoc.storage.delivery_log import ChaseEntry, Recipient
from dondoc.storage.models import Item, Plan
from notifications.testing import LocalSMTP, free_port

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BUSY = date(2026, 12, 17)  # plan 001: the yearly items' 10-day reminders, item 37 long overdue

PEOPLE = """
default_channels: [email]
people:
  - {id: ct, name: Nguyễn Văn An, role: Chủ tịch UBND xã, tags: [leadership, chu-tich], email: ct@nl.test}
  - {id: pct, name: Lê Thị Bình, role: Phó Chủ tịch UBND xã, tags: [leadership], areas: [I, II, III, IV, V, VI], email: pct@nl.test}
  - {id: vp, name: Đỗ Văn Phúc, office: Văn phòng HĐND và UBND xã, head: true, email: vp@nl.test}
  - {id: vhxh, name: Trần Văn Cường, office: Phòng Văn hóa - Xã hội, head: true, email: vhxh@nl.test}
  - {id: kt, name: Hoàng Văn Em, office: Phòng Kinh tế, head: true, email: kt@nl.test}
  - {id: hcc, name: Lê Văn Giang, office: Trung tâm Phục vụ hành chính công, head: true, email: hcc@nl.test}
  - {id: cudv, name: Vũ Thị Hà, office: Trung tâm Cung ứng dịch vụ công, head: true, email: cudv@nl.test}
  - {id: ca, name: Ngô Văn Khánh, office: Công an xã, head: true, email: ca@nl.test}
  - {id: yte, name: Phan Thị Mai, office: Trạm Y tế, head: true, email: yte@nl.test}
  - {id: gd, name: Đinh Văn Nam, office: Các đơn vị sự nghiệp giáo dục, head: true, email: gd@nl.test}
"""


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@pytest.fixture
def mail_port(monkeypatch):
    port = free_port()
    monkeypatch.setenv("DONDOC_SMTP_URL", f"smtp://127.0.0.1:{port}?security=none")
    monkeypatch.setenv("DONDOC_NOTIFY_RETRIES", "1")
    monkeypatch.setenv("DONDOC_NOTIFY_TIMEOUT", "2")
    get_settings.cache_clear()
    return port


@pytest.fixture
def unit001(engine, tmp_path, monkeypatch, mail_port):
    config = tmp_path / "config"
    config.mkdir()
    (config / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return app


def pairs(server: LocalSMTP) -> list[tuple[str, str, str]]:
    """(subject, recipient, Message-ID) of every message the server took."""
    return [(r.message["Subject"], to, r.message["Message-ID"]) for r in server.received for to in r.rcpt_tos]


def recipient_states(app) -> Counter:
    with read_session(app.engine) as session:
        return Counter(session.scalars(select(Recipient.state)))


def item_id(app, number: str) -> int:
    with read_session(app.engine) as session:
        return session.scalar(select(Item.id).join(Plan).where(Item.number == number))


def test_server_closed_at_eight_then_open_at_ten_delivers_each_message_once(unit001, mail_port):
    app = unit001
    down = app.chase(at(BUSY))
    assert down.sent == 0 and down.failed > 50 and down.redelivered == 0
    assert recipient_states(app) == {"failed": down.failed}
    with read_session(app.engine) as session:  # nothing counted sent while nobody got it
        assert set(session.scalars(select(ChaseEntry.state))) == {"failed", "digest"}

    with LocalSMTP(port=mail_port) as server:
        back = app.chase(at(BUSY, 10))
        again = app.chase(at(BUSY, 10, 30))
    assert back.redelivered == down.failed and back.failed == 0 and back.sent == 0
    assert (again.sent, again.failed, again.redelivered) == (0, 0, 0) and again.skipped == down.failed
    got = [(subject, to) for subject, to, _id in pairs(server)]
    assert len(got) == len(set(got)) == down.failed
    assert recipient_states(app) == {"delivered": down.failed}


def test_a_dead_server_costs_seconds_not_hours(unit001, mail_port):
    app = unit001
    listener = __import__("socket").socket()
    listener.bind(("127.0.0.1", mail_port))
    listener.listen(100)  # accepts, never answers: every attempt would wait for the timeout
    try:
        started = datetime.now()
        result = app.chase(at(BUSY))
        elapsed = (datetime.now() - started).total_seconds()
    finally:
        listener.close()
    assert result.failed > 50
    # three attempts wait for the 2-second timeout; the rest of the run does not wait on the server again
    assert elapsed < 3 * 2 + 30
    assert recipient_states(app) == {"failed": result.failed}


def test_a_server_answering_data_too_late_gets_each_message_once_per_run(unit001, mail_port):
    app = unit001
    item = item_id(app, "30")
    with LocalSMTP(port=mail_port, delay=3) as server:  # takes the message, answers after the 2-second timeout
        first = app.chase(at(BUSY), item_ids=[item])
        taken = pairs(server)
        assert first.failed == len(taken) > 0 and first.sent == 0
        assert recipient_states(app) == {"unknown": len(taken)}
        server.delay = 0
        same_run_again = app.chase(at(BUSY), item_ids=[item])  # not due yet: nothing sent twice
        assert same_run_again.redelivered == 0 and len(pairs(server)) == len(taken)
        later = app.chase(at(BUSY, 8, 10), item_ids=[item])
    assert later.redelivered == len(taken)
    copies = Counter((to, message_id) for _s, to, message_id in pairs(server))
    assert set(copies.values()) == {2} and len({m for _t, m in copies}) == len(taken)  # a copy: the same Message-ID


def test_two_overlapping_chases_of_one_item_send_each_message_once(unit001, mail_port):
    app = unit001
    item = item_id(app, "37")
    with LocalSMTP(port=mail_port, delay=0.05) as server:
        errors = []

        def run():
            try:
                build_app().chase(at(BUSY), item_ids=[item])
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    got = [(subject, to) for subject, to, _id in pairs(server)]
    assert got and len(got) == len(set(got))
    assert set(recipient_states(app)) == {"delivered"}


def test_two_people_behind_one_tag_both_receive_after_a_crash(unit001, mail_port):
    from notifications.delivery import Dispatcher
    from notifications.messages import test_message
    from dondoc.usecases.sending import Outgoing, send_once

    app = unit001
    with read_session(app.engine) as session:
        unit_id = session.scalar(select(Plan.unit_id))

    def batch():
        build = lambda key: test_message(person_name="Lãnh đạo", channel="email", ledger_key=key,  # noqa: E731
                                         public_url=app.public_url)
        return [Outgoing("nudge:leaders", "nudge", ["tag:leadership"], build, unit_id=unit_id)]

    class StopsAfterOne(Dispatcher):
        left = 1

        def deliver(self, message, person, **kwargs):
            if self.left == 0:
                raise KeyboardInterrupt
            self.left -= 1
            return super().deliver(message, person, **kwargs)

    with LocalSMTP(port=mail_port) as server:
        crashing = StopsAfterOne(app.engine, settings=app.settings, config=app.config.notifications,
                                 people=app.config.people)
        with pytest.raises(KeyboardInterrupt):
            send_once(app, at(BUSY), batch(), crashing)
        assert len(server.received) == 1
        again = send_once(app, at(BUSY, 8, 1), batch())
    assert Counter(to for _s, to, _id in pairs(server)) == {"ct@nl.test": 1, "pct@nl.test": 1}
    assert again.redelivered == 1 and again.skipped == 1


def test_a_target_nobody_holds_goes_to_the_standing_office(unit001, mail_port, tmp_path):
    app = unit001
    (tmp_path / "config" / "people.yaml").write_text(PEOPLE.replace("Trạm Y tế", "Trạm Y tế cũ"), encoding="utf-8")
    app = build_app()  # the people file read again
    with LocalSMTP(port=mail_port) as server:
        app.chase(at(BUSY), item_ids=[item_id(app, "30")])
    forwarded = [(s, to) for s, to, _id in pairs(server) if "Chuyển cho Trạm Y tế" in s]
    assert [to for _s, to in forwarded] == ["vhxh@nl.test"]
    body = next(r.message for r in server.received if "Chuyển cho" in r.message["Subject"])
    assert "chưa có người nhận" in body.get_body(("plain",)).get_content()
    assert not any(to == "yte@nl.test" for _s, to, _id in pairs(server))


def test_an_item_whose_lead_office_is_not_known_yet_reminds_the_standing_office(unit001, mail_port, tmp_path):
    from dondoc.importer import parse_plan_file

    app = unit001
    parsed = parse_plan_file(seed_path(PLAN_001))
    item = next(i for i in parsed.items if i.number == "30")
    item.lead = "Ban Quản lý chợ xã"
    report = app.import_plan(parsed, unit_name="Xã Ngọc Liên")
    assert [p.name for p in report.unknown_offices] == ["Ban Quản lý chợ xã"]
    with LocalSMTP(port=mail_port) as server:
        app.chase(at(BUSY), item_ids=[item_id(app, "30")])
    subjects = [(s, to) for s, to, _id in pairs(server)]
    assert subjects and all(to == "vhxh@nl.test" for _s, to in subjects if "Chuyển cho" in _s)
    assert any("Chuyển cho cơ quan chủ trì chưa xác định" in s for s, _to in subjects)


def test_a_week_with_the_mail_server_down_on_tuesday(unit001, mail_port):
    """Mon 14/12 – Fri 18/12/2026: chased at 08:00 and at each catch-up; the server is down all Tuesday."""
    app = unit001
    monday = date(2026, 12, 14)
    delivered = []
    for offset in range(5):
        day = monday + timedelta(days=offset)
        for hour, minute in ((8, 0), (9, 30), (11, 0), (14, 0), (16, 0), (16, 30)):
            if offset == 1:
                app.chase(at(day, hour, minute))
                app.send_digest(at(day, hour, minute)) if (hour, minute) == (16, 0) else None
                continue
            with LocalSMTP(port=mail_port) as server:
                app.chase(at(day, hour, minute))
                if (hour, minute) == (16, 0):
                    app.send_digest(at(day, hour, minute))
            delivered += [(s, to) for s, to, _id in pairs(server)]
    assert [k for k, n in Counter(delivered).items() if n > 1] == []
    assert len(delivered) > 100
    assert set(recipient_states(app)) == {"delivered"}
    assert not [s for s, _to in delivered if "chưa gửi được" in s]  # nothing was given up, nothing to tell


def test_given_up_messages_reach_the_standing_office_once(unit001, mail_port, monkeypatch):
    monkeypatch.setenv("DONDOC_DELIVERY_GIVE_UP_WORKING_DAYS", "0")  # given up at the end of the same day
    get_settings.cache_clear()
    app = build_app()
    tuesday = date(2026, 12, 15)
    first = app.chase(at(tuesday))
    app.chase(at(tuesday, 14))
    assert first.failed > 0
    with LocalSMTP(port=mail_port) as server:
        wednesday = app.chase(at(tuesday + timedelta(days=1), 8))
        again = app.chase(at(tuesday + timedelta(days=1), 9, 30))
    assert wednesday.given_up == first.failed and again.given_up == 0
    told = [(s, to) for s, to, _id in pairs(server) if "chưa gửi được" in s]
    # the standing office, and the Chủ tịch since escalations were among them: one summary each
    assert sorted(to for _s, to in told) == ["ct@nl.test", "vhxh@nl.test"]
    summary = next(r.message for r in server.received if "chưa gửi được" in r.message["Subject"])
    text = summary.get_body(("plain",)).get_content()
    assert f"{first.failed} tin" in text and "Cảnh báo cấp 1: Mục 37 — gửi Đỗ Văn Phúc" in text
    assert "Lý do: Máy chủ thư 127.0.0.1" in text and "từ chối kết nối" in text
    listed = app.not_delivered()
    assert {r.state for r in listed} == {"given_up"} and all(r.reported for r in listed)


def test_a_fan_out_killed_at_random_moments_loses_nothing(tmp_path):
    """SIGKILL during the sending of 150 messages, 3 times, then a run to the end (bench/bench_kill_fanout.py
    measures 2,000 messages and 20 kills)."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_kill_fanout.py"), "--messages", "150",
                          "--kills", "3", "--seed", "7"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["kills"] >= 1 and result["misses"] == 0
    assert result["duplicates_with_new_id"] == 0  # a copy sent again is the same message to mail programs


def test_what_a_crashed_item_run_did_not_send_the_catch_up_sends(unit001, mail_port):
    from notifications.delivery import Dispatcher

    class DiesAfterTwo(Dispatcher):
        left = 2

        def deliver(self, message, person, **kwargs):
            if self.left == 0:
                raise SystemExit("the flow run process is gone")
            self.left -= 1
            return super().deliver(message, person, **kwargs)

    app = unit001
    item = item_id(app, "37")
    with LocalSMTP(port=mail_port) as server:
        dying = DiesAfterTwo(app.engine, settings=app.settings, config=app.config.notifications,
                             people=app.config.people)
        with pytest.raises(SystemExit):
            app.chase(at(BUSY), item_ids=[item], dispatcher=dying)
        assert len(server.received) == 2
        caught_up = app.chase(at(BUSY, 9, 30))  # the catch-up: every item, and whatever is due again
    assert caught_up.redelivered >= 1 and caught_up.failed == 0
    got = [(subject, to) for subject, to, _id in pairs(server)]
    assert len(got) == len(set(got))
    assert any("Mục 37" in subject for subject, _to in got[2:])  # the item's own messages, after the crash
    assert set(recipient_states(app)) == {"delivered"}
